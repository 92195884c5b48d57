/*
 * The ceiling for IoQuickBenchmark's echo pair: the same protocol as bench/poe/echo_pair.pl
 * (server and client in one thread, one level-triggered epoll set, loopback TCP, 34-byte lines)
 * with nothing but the system calls. Not a framework: no events, no buffering, no filter.
 *   roundtrips:  one connection; send a line, wait for its echo, send the next.
 *   connections: connect, send one line, read its echo, close; repeat.
 * Prints "MODE COUNT ELAPSED_SECONDS" like echo_pair.pl.
 * Build and run: gcc -O2 -o /tmp/echo_pair_ceiling bench/native/echo_pair_ceiling.c
 *                /tmp/echo_pair_ceiling roundtrips 1; /tmp/echo_pair_ceiling connections 1
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int ep, client = -1, connecting;
static struct sockaddr_in addr;
static const char line[] = "hello world, this is a ping line\r\n"; /* 34 bytes */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void ctl(int op, int fd, unsigned events)
{
    struct epoll_event e = { .events = events, .data.fd = fd };
    epoll_ctl(ep, op, fd, &e);
}

static void start_client(void)
{
    client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    connect(client, (struct sockaddr *)&addr, sizeof addr); /* EINPROGRESS */
    ctl(EPOLL_CTL_ADD, client, EPOLLOUT);
    connecting = 1;
}

int main(int argc, char **argv)
{
    int connections = argc > 1 && strcmp(argv[1], "connections") == 0;
    double seconds = argc > 2 ? atof(argv[2]) : 1;
    int one = 1, listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof addr;
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, SOMAXCONN)) return perror("listen"), 1;
    getsockname(listener, (struct sockaddr *)&addr, &len);
    ep = epoll_create1(EPOLL_CLOEXEC);
    ctl(EPOLL_CTL_ADD, listener, EPOLLIN);

    char buf[65536];
    struct epoll_event events[64];
    long count = 0;
    double start = now(), end = start + seconds;
    start_client();
    for (;;) {
        int n = epoll_wait(ep, events, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int s = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (s >= 0) ctl(EPOLL_CTL_ADD, s, EPOLLIN);
            } else if (fd == client && connecting) {
                int err = 0;
                socklen_t el = sizeof err;
                getsockopt(client, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err) return fprintf(stderr, "connect: %s\n", strerror(err)), 1;
                ctl(EPOLL_CTL_MOD, client, EPOLLIN);
                write(client, line, sizeof line - 1);
                connecting = 0;
            } else if (fd == client) {
                if (read(client, buf, sizeof buf) <= 0) return fprintf(stderr, "client read failed\n"), 1;
                count++;
                double t = now();
                if (connections) {
                    ctl(EPOLL_CTL_DEL, client, 0);
                    close(client);
                    if (t < end) start_client();
                } else if (t < end) {
                    write(client, line, sizeof line - 1);
                }
                if (t >= end) {
                    printf("%s %ld %.6f\n", connections ? "connections" : "roundtrips", count, t - start);
                    return 0;
                }
            } else {
                ssize_t r = read(fd, buf, sizeof buf);
                if (r > 0) {
                    write(fd, buf, (size_t)r);
                } else {
                    ctl(EPOLL_CTL_DEL, fd, 0);
                    close(fd);
                }
            }
        }
    }
}
