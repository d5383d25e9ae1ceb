#!/bin/sh
# The Grafana dashboard gate: conf/rotd-grafana.json is valid JSON for Grafana
# 9 or later (schemaVersion 36+) with a Prometheus datasource variable and an
# instance variable, every panel queries through that variable, every metric
# it queries is one rotd exports (a name rotd/report/metrics.c renders), and
# it shows the usage gauges.
# Usage: tests/grafana-metrics.sh [SRCDIR]. Prints one line per problem; exit 1 if any.
set -u
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
dash=$src/conf/rotd-grafana.json
metrics=$src/rotd/report/metrics.c
problems=0

problem() {
	echo "$dash: $*"
	problems=$((problems + 1))
}

if ! jq -e . "$dash" >/dev/null 2>&1; then
	echo "$dash: not valid JSON"
	exit 1
fi
jq -e '.schemaVersion >= 36' "$dash" >/dev/null || problem "schemaVersion below 36"
jq -e '[.templating.list[] | select(.type == "datasource" and .query == "prometheus" and .name == "datasource")]
	| length == 1' "$dash" >/dev/null || problem "no Prometheus datasource variable named datasource"
jq -e '[.templating.list[] | select(.name == "instance" and .type == "query")] | length == 1' "$dash" \
	>/dev/null || problem "no instance variable"

# Every query goes through the variables: the chosen datasource, the chosen hosts.
jq -r '.panels[] | select(.type != "row") | .title as $t | .targets[]
	| select(.datasource.uid != "${datasource}") | $t' "$dash" | while IFS= read -r t; do
	echo "$dash: panel \"$t\": a query not on \${datasource}"
done | grep . && problems=$((problems + 1))
jq -r '.panels[] | select(.type != "row") | .title as $t | .targets[]
	| select(.expr | contains("instance=~\"$instance\"") | not) | $t' "$dash" | while IFS= read -r t; do
	echo "$dash: panel \"$t\": a query not narrowed to \$instance"
done | grep . && problems=$((problems + 1))

exported=$(grep -o '"rotd_[a-z0-9_]*"' "$metrics" | tr -d '"' | sort -u)
queried=$(jq -r '(.panels[].targets[]?.expr), (.templating.list[].definition // empty)' "$dash" \
	| grep -o 'rotd_[a-z0-9_]*' | sort -u)
[ -n "$exported" ] || problem "no metric names found in $metrics"
for name in $queried; do
	printf '%s\n' "$exported" | grep -qx "$name" || problem "queries $name, which rotd does not export"
done
for name in rotd_container_bytes rotd_volume_bytes rotd_filesystem_used_ratio rotd_last_pass_timestamp_seconds \
	rotd_errors_total rotd_remediations_total; do
	printf '%s\n' "$queried" | grep -qx "$name" || problem "has no panel for $name"
done
[ "$problems" -eq 0 ]
