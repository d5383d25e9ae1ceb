#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "rotate/action.h"

struct action *action_push(struct plan *p, size_t *cap, enum action_kind kind, const struct log_file *f,
			   const struct log_policy *pol, const char *stem, char *reason)
{
	struct action *a;

	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p->v = xreallocarray(p->v, *cap, sizeof(*p->v));
	}
	a = &p->v[p->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->file = f;
	a->policy = pol;
	a->stem = xstrdup(stem);
	a->reason = reason;
	return a;
}

void plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].stem);
		free(p->v[i].archive);
		free(p->v[i].group);
		free(p->v[i].reason);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const char *plan_action_name(enum action_kind kind)
{
	switch (kind) {
	case ACTION_ROTATE:
		return "rotate";
	case ACTION_ARCHIVE_IDLE:
		return "archive-idle";
	case ACTION_PRUNE:
		return "prune";
	case ACTION_SKIP:
		return "skip";
	}
	return "unknown";
}
