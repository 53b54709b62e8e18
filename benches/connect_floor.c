/* The floor for a full loopback connect scan (issue 16): connect() each of the 65,535 TCP
 * ports of 127.0.0.1 once, nonblocking, one thread per core, closing each socket; no event
 * loop, no answers gathered. netkit's connect scan does this and also learns every port's
 * state, so it cannot beat this program; the benchmark reports how close it comes.
 *
 *   cc -O2 -pthread -o connect_floor benches/connect_floor.c && ./connect_floor
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct span { int first, last; };

static void *sweep(void *arg) {
    struct span *s = arg;
    struct sockaddr_in to = { .sin_family = AF_INET };
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int port = s->first; port <= s->last; port++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            perror("socket");
            exit(1);
        }
        to.sin_port = htons((unsigned short)port);
        connect(fd, (struct sockaddr *)&to, sizeof to);
        close(fd);
    }
    return NULL;
}

int main(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    if (cores > 64) cores = 64;
    pthread_t threads[64];
    struct span spans[64];
    int per = 65535 / (int)cores + 1;
    for (long i = 0; i < cores; i++) {
        spans[i].first = 1 + (int)i * per;
        spans[i].last = spans[i].first + per - 1;
        if (spans[i].last > 65535) spans[i].last = 65535;
        pthread_create(&threads[i], NULL, sweep, &spans[i]);
    }
    for (long i = 0; i < cores; i++) pthread_join(threads[i], NULL);
    return 0;
}
