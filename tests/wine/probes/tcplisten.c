/*
 * tcplisten PORTFILE SECONDS: a loopback TCP listener for diagnose's Wine tests (a
 * native Linux program, built by the test with cc). Binds 127.0.0.1 on a free port,
 * writes the port to PORTFILE, accepts and closes connections, and exits by itself
 * after SECONDS (at most 120). It listens on the loopback address only.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tcplisten PORTFILE SECONDS\n");
		return 2;
	}
	long secs = strtol(argv[2], NULL, 10);
	if (secs < 1 || secs > 120)
		secs = 120;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		perror("socket");
		return 1;
	}
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s, 16) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) != 0) {
		perror("bind/listen");
		return 1;
	}
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", (unsigned)ntohs(a.sin_port)) < 0 || fclose(f) != 0 ||
	    rename(tmp, argv[1]) != 0) {
		perror(argv[1]);
		return 1;
	}
	time_t end = time(NULL) + secs;
	unsigned accepted = 0;
	while (time(NULL) < end) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		if (poll(&p, 1, 200) > 0) {
			int c = accept(s, NULL, NULL);
			if (c >= 0) {
				accepted++;
				close(c);
			}
		}
	}
	close(s);
	fprintf(stderr, "tcplisten: %u connection(s) accepted\n", accepted);
	return 0;
}
