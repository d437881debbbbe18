/*
 * Warden's development Kafka broker: librdkafka's in-memory mock cluster behind a small command
 * line. It speaks the Kafka protocol on loopback, which is all development and tests need.
 * Never use it in production: it keeps everything in memory and has no durability.
 *
 *   warden-dev-kafka [--brokers N] [--partitions P] [TOPIC[:PARTITIONS] ...]
 *
 * Prints one line "bootstrap <host:port,...>" on stdout once the cluster is up, then reads commands
 * from stdin, one per line, answering "ok" or "error <reason>":
 *
 *   topic NAME PARTITIONS   create a topic (the Admin API is not supported by the mock cluster)
 *   down BROKER_ID          disconnect a broker (-1: all) and refuse connections
 *   up BROKER_ID            accept connections again (-1: all)
 *   rtt BROKER_ID MS        add round-trip delay to a broker's responses
 *   errors API_KEY CODE[,CODE...]
 *                           answer the next requests of a protocol API (e.g. 14, SyncGroup) with
 *                           these error codes, one request each, in order
 *   quit                    stop
 *
 * The process exits when stdin closes, so it never outlives the process that started it.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *spec, int default_partitions) {
  char name[256];
  int partitions = default_partitions;
  const char *colon = strchr(spec, ':');
  size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
  if (len == 0 || len >= sizeof(name)) return -1;
  memcpy(name, spec, len);
  name[len] = '\0';
  if (colon) partitions = atoi(colon + 1);
  if (partitions < 1) return -1;
  return rd_kafka_mock_topic_create(mc, name, partitions, 1) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

int main(int argc, char **argv) {
  int brokers = 1, partitions = 6, i;
  char errstr[512];

  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--brokers") && i + 1 < argc) brokers = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--partitions") && i + 1 < argc) partitions = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--help")) {
      fprintf(stderr, "usage: %s [--brokers N] [--partitions P] [TOPIC[:PARTITIONS] ...]\n", argv[0]);
      return 0;
    }
  }
  if (brokers < 1 || partitions < 1) {
    fprintf(stderr, "--brokers and --partitions must be positive\n");
    return 2;
  }

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock cluster; keep its own logging quiet. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "could not create the mock cluster\n");
    return 1;
  }

  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--brokers") || !strcmp(argv[i], "--partitions")) { i++; continue; }
    if (create_topic(mc, argv[i], partitions) != 0) {
      fprintf(stderr, "bad topic %s\n", argv[i]);
      return 2;
    }
  }

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);

  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[1024];
  while (!stop_requested && fgets(line, sizeof(line), stdin)) {
    char cmd[32] = "", arg1[256] = "";
    long arg2 = 0;
    int n = sscanf(line, "%31s %255s %ld", cmd, arg1, &arg2);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (n < 1) continue;
    if (!strcmp(cmd, "quit")) break;
    else if (!strcmp(cmd, "topic") && n == 3 && arg2 > 0)
      err = rd_kafka_mock_topic_create(mc, arg1, (int)arg2, 1);
    else if (!strcmp(cmd, "down") && n >= 2)
      err = rd_kafka_mock_broker_set_down(mc, atoi(arg1));
    else if (!strcmp(cmd, "up") && n >= 2)
      err = rd_kafka_mock_broker_set_up(mc, atoi(arg1));
    else if (!strcmp(cmd, "rtt") && n == 3)
      err = rd_kafka_mock_broker_set_rtt(mc, atoi(arg1), (int)arg2);
    else if (!strcmp(cmd, "errors") && n >= 2) {
      char codes[256] = "";
      rd_kafka_resp_err_t errs[32];
      size_t cnt = 0;
      if (sscanf(line, "%*s %*s %255s", codes) != 1 || strspn(arg1, "0123456789") != strlen(arg1) ||
          strspn(codes, "0123456789,") != strlen(codes)) {
        printf("error usage: errors API_KEY CODE[,CODE...]\n");
        fflush(stdout);
        continue;
      }
      for (char *tok = strtok(codes, ","); tok && cnt < 32; tok = strtok(NULL, ","))
        errs[cnt++] = (rd_kafka_resp_err_t)atoi(tok);
      rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(arg1), cnt, errs);
    }
    else {
      printf("error unknown command\n");
      fflush(stdout);
      continue;
    }
    if (err) printf("error %s\n", rd_kafka_err2str(err));
    else printf("ok\n");
    fflush(stdout);
  }

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
