#include "autoconf.h"

#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/strlist.h"
#include "logs_fixture.h"
#include "unit.h"

const char *const logs_fixture_web_conf = "role web {\n"
					  "  match {\n    name = {\"web*\"}\n  }\n"
					  "  logs = {\"/var/log/whatsapp/*.log\"}\n"
					  "  size = 20M\n"
					  "  archive-dir = /var/log/whatsapp/archive\n"
					  "}\n";

struct rotd_config *logs_fixture_web_config(void)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load_buffer(logs_fixture_web_conf, "test.conf", &errors);

	ck_assert_msg(cfg != NULL, "%s", errors.n ? errors.v[0] : "?");
	strlist_free(&errors);
	return cfg;
}

void logs_fixture_compress_with(const char *tool, const char *in, const char *out)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execlp(tool, tool, "-c", "-q", in, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", tool);
}
