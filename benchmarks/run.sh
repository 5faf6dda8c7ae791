#!/usr/bin/env bash
# The side-by-side load harness in one command, from anywhere in the repository:
#
#   ./benchmarks/run.sh [--quick] [--runs N] [--seconds S] [--waits N] [--only redis,postgres,sqlite,events,statedb]
#                       [--no-celery] [--markdown FILE]
#
# Builds benchmarks/target/benchmarks.jar (the -Pbench profile), then runs io.celeriac.benchmarks.Harness against
# Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (or the servers named by the environment, as the tests
# find them), next to redis-benchmark, pgbench and, when /usr/bin/python3 can import celery, Python Celery.
# Set SKIP_BUILD=1 to reuse the jar. The JMH micro-benchmarks are run with: java -jar benchmarks/target/benchmarks.jar
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [[ "${SKIP_BUILD:-0}" != "1" || ! -f benchmarks/target/benchmarks.jar ]]; then
  ./mvnw -B -q -Pbench -pl benchmarks -am package -DskipTests
fi
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp benchmarks/target/benchmarks.jar io.celeriac.benchmarks.Harness "$@"
