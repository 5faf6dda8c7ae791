#!/usr/bin/env bash
# The side-by-side load harness in one command, from anywhere in the repository:
#
#   ./benchmarks/run.sh [--quick] [--runs N] [--seconds S] [--waits N]
#                       [--only redis,postgres,sqlite,events,statedb,broker-redis,broker-amqp,client-redis,client-amqp,
#                               worker-redis,worker-amqp,monitor
#                        | --only broker | --only client | --only worker]
#                       [--no-celery] [--markdown FILE]
#
# Builds benchmarks/target/benchmarks.jar (the -Pbench profile) and copies RabbitMQ's PerfTest with its dependencies
# into benchmarks/target/perf-test/ (benchmarks/perf-test/pom.xml, once), then runs io.celeriac.benchmarks.Harness
# against Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432 and RabbitMQ on 127.0.0.1:5672 (or the servers named
# by the environment, as the tests find them), next to redis-benchmark, pgbench, PerfTest and, when /usr/bin/python3
# can import them, Python Celery and kombu. The worker sections run celeriac's Java worker in the harness JVM beside
# Python Celery workers (/usr/bin/python3 -m celery worker, prefork / threads / solo) on the same queue contents.
# The result-backend sections: Redis store_result / get_task_meta at 1, 4, 16 and 64 threads beside redis-benchmark
# -c N and -c N -P 16 (SET / GET) at every N, bare Jedis (a pool of N) and bare Lettuce (one shared, auto-pipelined
# connection) at the same N, and storeResultAsync / getTaskMetaAsync from one thread with 64 calls in flight;
# PostgreSQL at 1, 4 and 16 threads beside pgbench -c N with the same statements; SQLite at 1, 4 and 16 threads;
# get_many of 10,000 on each, timed as its first 3 calls on a new, just populated instance and again after warm-up.
# --only redis,postgres,sqlite at --runs 3 --seconds 2 takes about 6 minutes.
# Set SKIP_BUILD=1 to reuse the jar. The JMH micro-benchmarks are run with: java -jar benchmarks/target/benchmarks.jar
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [[ "${SKIP_BUILD:-0}" != "1" || ! -f benchmarks/target/benchmarks.jar ]]; then
  ./mvnw -B -q -Pbench -pl benchmarks -am package -DskipTests
fi
if ! compgen -G "benchmarks/target/perf-test/perf-test-*.jar" > /dev/null; then
  # PerfTest runs as its own java process with the dependency versions it was released with
  ./mvnw -B -q -f benchmarks/perf-test/pom.xml dependency:copy-dependencies \
    || echo "run.sh: could not copy PerfTest; the RabbitMQ rows will have no PerfTest yardstick" >&2
fi
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dceleriac.bench.perftest=benchmarks/target/perf-test \
  -cp benchmarks/target/benchmarks.jar io.celeriac.benchmarks.Harness "$@"
