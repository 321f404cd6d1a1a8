#!/usr/bin/env bash
# The services `make run` started, one at a time (supervisorctl):
#   deploy/local/ctl.sh status               # every process, its state, pid and uptime
#   deploy/local/ctl.sh restart billing      # restart one service
#   deploy/local/ctl.sh tail -f visitor      # follow one service's log
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/env.sh
exec .venv/bin/supervisorctl -c deploy/local/supervisord.conf "$@"
