/*
 * pipelisten NAME READYFILE SECONDS: a named pipe server for diagnose's Wine tests (built
 * with winegcc, run under wine64 in the test's prefix). Creates \\.\pipe\NAME (one instance,
 * this machine only: PIPE_REJECT_REMOTE_CLIENTS), writes READYFILE (a Unix path) once the
 * instance waits for a client, and exits by itself after SECONDS (at most 120). It never
 * reads or writes the pipe: a client that connects is disconnected again. The stand-in for
 * the Remote Desktop Licensing service's HydraLsPipe, so that WaitNamedPipeW finds a free
 * instance.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef PIPE_REJECT_REMOTE_CLIENTS
#define PIPE_REJECT_REMOTE_CLIENTS 0x00000008 /* winbase.h; Wine 8's headers lack it */
#endif

static HANDLE pipe_h = INVALID_HANDLE_VALUE;

static DWORD WINAPI serve(void *arg)
{
	(void)arg;
	for (;;) {
		BOOL ok = ConnectNamedPipe(pipe_h, NULL);
		if (!ok && GetLastError() != ERROR_PIPE_CONNECTED) {
			fprintf(stderr, "pipelisten: ConnectNamedPipe failed with error %lu\n",
				(unsigned long)GetLastError());
			return 1;
		}
		if (!DisconnectNamedPipe(pipe_h)) {
			fprintf(stderr, "pipelisten: DisconnectNamedPipe failed with error %lu\n",
				(unsigned long)GetLastError());
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: pipelisten NAME READYFILE SECONDS\n");
		return 2;
	}
	long secs = strtol(argv[3], NULL, 10);
	if (secs < 1 || secs > 120)
		secs = 120;
	char path[300];
	snprintf(path, sizeof(path), "\\\\.\\pipe\\%s", argv[1]);
	pipe_h = CreateNamedPipeA(path, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE,
				  PIPE_TYPE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, 512, 512,
				  0, NULL);
	if (pipe_h == INVALID_HANDLE_VALUE) {
		fprintf(stderr, "pipelisten: CreateNamedPipeA(%s) failed with error %lu\n", path,
			(unsigned long)GetLastError());
		return 1;
	}
	HANDLE t = CreateThread(NULL, 0, serve, NULL, 0, NULL);
	if (!t) {
		fprintf(stderr, "pipelisten: CreateThread failed with error %lu\n",
			(unsigned long)GetLastError());
		CloseHandle(pipe_h);
		return 1;
	}
	/* The ready file is a Unix path: winegcc's C library is glibc. */
	FILE *f = fopen(argv[2], "w");
	if (!f || fprintf(f, "%s\n", path) < 0 || fclose(f) != 0) {
		fprintf(stderr, "pipelisten: cannot write %s\n", argv[2]);
		CloseHandle(t);
		CloseHandle(pipe_h);
		return 1;
	}
	DWORD w = WaitForSingleObject(t, (DWORD)secs * 1000);
	CloseHandle(t);
	CloseHandle(pipe_h);
	fprintf(stderr, "pipelisten: %s\n", w == WAIT_TIMEOUT ? "done" : "server thread ended");
	return w == WAIT_TIMEOUT ? 0 : 1;
}
