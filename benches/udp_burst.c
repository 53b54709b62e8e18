/* A loopback burst of small UDP datagrams for the watch benchmark (issue 26): COUNT datagrams
 * of SIZE bytes (at least 4) to 127.0.0.1:PORT, as fast as sendmmsg() takes them, each
 * carrying its number (0, 1, 2, ...; 4 bytes, big-endian) first, so a capture's file can be
 * checked datagram by datagram. Python's loop is several times slower than a capture reads,
 * which would measure the sender rather than the captures.
 *
 *   cc -O2 -o udp_burst benches/udp_burst.c && ./udp_burst PORT [COUNT [SIZE]]
 *
 * Prints "sent N datagrams in S s" on stderr. Sends only to 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MOST_SIZE 1400

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [COUNT [SIZE]]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    long count = argc > 2 ? atol(argv[2]) : 200000;
    int size = argc > 3 ? atoi(argv[3]) : 16;
    if (port < 1 || port > 65535 || count < 1 || size < 4 || size > MOST_SIZE) {
        fprintf(stderr, "udp_burst: PORT 1-65535, COUNT >= 1, SIZE 4-%d\n", MOST_SIZE);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
        perror("connect");
        return 1;
    }
    static unsigned char payload[BATCH][MOST_SIZE];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        memset(payload[i], 'x', (size_t)size);
        iov[i].iov_base = payload[i];
        iov[i].iov_len = (size_t)size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long sent = 0;
    int errors = 0;
    while (sent < count) {
        int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
        for (int i = 0; i < n; i++) {
            unsigned long k = (unsigned long)(sent + i);
            payload[i][0] = (unsigned char)(k >> 24);
            payload[i][1] = (unsigned char)(k >> 16);
            payload[i][2] = (unsigned char)(k >> 8);
            payload[i][3] = (unsigned char)k;
        }
        int done = sendmmsg(fd, msgs, (unsigned)n, 0);
        if (done < 0) {
            /* A port unreachable left from an earlier run shows as ECONNREFUSED once: the
             * datagrams were not sent, so the same batch goes again. */
            perror("sendmmsg");
            if (++errors > 100) {
                return 1;
            }
            continue;
        }
        sent += done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "sent %ld datagrams in %.3f s\n", sent, s);
    close(fd);
    return 0;
}
