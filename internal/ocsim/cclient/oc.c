/*
 * The simulated cluster's remote oc (and sleep), in C: what
 * internal/ocsim/ocremote does, for a call that costs half as much. A
 * runbook run on the simulated cluster starts the client for every oc call
 * and every sleep, thousands of times in the test suite, and a Go program
 * spends most of its time starting its runtime. The tests build this file
 * with cc when there is one (internal/bundletest), else ocremote; the
 * ocsim tests check that both say the same (TestCClientSpeaksTheWire).
 *
 * It sends its arguments, working directory, environment and, when the
 * command reads it, its standard input to the server at $OCSIM_SOCKET as
 * one JSON request (internal/ocsim/wire.Request), reads the JSON answer
 * (wire.Response: code, and stdout and stderr in base64, as Go encodes
 * []byte) until the server closes the connection, prints it and exits with
 * its code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

struct buf {
	char *p;
	size_t n, cap;
};

static void die(const char *what) {
	fprintf(stderr, "the simulated cluster is not serving: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put(struct buf *b, const char *s, size_t n) {
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p) die("realloc");
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void puts0(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* jstr writes s as a JSON string: quote and backslash escaped, control
 * characters as \u00XX, every other byte as it is (UTF-8). */
static void jstr(struct buf *b, const char *s, size_t n) {
	char esc[8];
	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(b, esc, 6);
		} else {
			put(b, (const char *)&s[i], 1);
		}
	}
	put(b, "\"", 1);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void jb64(struct buf *b, const unsigned char *s, size_t n) {
	char q[4];
	put(b, "\"", 1);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n) v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n) v |= s[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		put(b, q, 4);
	}
	put(b, "\"", 1);
}

static int b64val(int c) {
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

/* field writes the base64 value of "name":"..." in the answer, decoded, to
 * fd. */
static void field(const char *answer, const char *name, int fd) {
	char key[32];
	snprintf(key, sizeof key, "\"%s\":\"", name);
	const char *p = strstr(answer, key);
	if (!p) return;
	p += strlen(key);
	struct buf out = {0};
	unsigned v = 0;
	int bits = 0;
	for (; *p && *p != '"'; p++) {
		int d = b64val((unsigned char)*p);
		if (d < 0) continue; /* '=' padding */
		v = v << 6 | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char c = (char)(v >> bits & 255);
			put(&out, &c, 1);
		}
	}
	for (size_t off = 0; off < out.n;) {
		ssize_t w = write(fd, out.p + off, out.n - off);
		if (w < 0) {
			if (errno == EINTR) continue;
			break;
		}
		off += (size_t)w;
	}
}

/* needs_stdin is wire.NeedsStdin: -f - (create, apply, replace) and
 * exec/rsh with -i. */
static int needs_stdin(int argc, char **argv) {
	const char *verb = NULL;
	for (int i = 1; i < argc && !verb; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-n") || !strcmp(a, "--namespace"))
			i++;
		else if (a[0] != '-')
			verb = a;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (((!strcmp(a, "-f") || !strcmp(a, "--filename")) && i + 1 < argc && !strcmp(argv[i + 1], "-")) ||
		    !strcmp(a, "-f=-") || !strcmp(a, "--filename=-"))
			return 1;
		if (!strcmp(a, "--")) break;
		if ((!strcmp(a, "-i") || !strcmp(a, "--stdin") || !strcmp(a, "-it") || !strcmp(a, "-ti")) && verb &&
		    (!strcmp(verb, "exec") || !strcmp(verb, "rsh")))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv) {
	const char *socket_path = getenv("OCSIM_SOCKET");
	if (!socket_path || !*socket_path) {
		fprintf(stderr, "%s: OCSIM_SOCKET is not set\n", argv[0]);
		return 1;
	}
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd)) {
		perror("getcwd");
		return 1;
	}
	struct buf req = {0};
	puts0(&req, "{\"args\":[");
	for (int i = 0; i < argc; i++) {
		if (i) put(&req, ",", 1);
		jstr(&req, argv[i], strlen(argv[i]));
	}
	puts0(&req, "],\"dir\":");
	jstr(&req, cwd, strlen(cwd));
	puts0(&req, ",\"env\":{");
	int first = 1;
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq) continue;
		if (!first) put(&req, ",", 1);
		first = 0;
		jstr(&req, *e, (size_t)(eq - *e));
		put(&req, ":", 1);
		jstr(&req, eq + 1, strlen(eq + 1));
	}
	put(&req, "}", 1);
	if (argc > 1 && needs_stdin(argc, argv)) {
		struct buf in = {0};
		char chunk[65536];
		ssize_t r;
		while ((r = read(0, chunk, sizeof chunk)) != 0) {
			if (r < 0) {
				if (errno == EINTR) continue;
				perror("reading standard input");
				return 1;
			}
			put(&in, chunk, (size_t)r);
		}
		puts0(&req, ",\"stdin\":");
		jb64(&req, (const unsigned char *)in.p, in.n);
	}
	puts0(&req, "}\n");

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) die("socket");
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof addr.sun_path) {
		errno = ENAMETOOLONG;
		die(socket_path);
	}
	strcpy(addr.sun_path, socket_path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die(socket_path);
	for (size_t off = 0; off < req.n;) {
		ssize_t w = write(fd, req.p + off, req.n - off);
		if (w < 0) {
			if (errno == EINTR) continue;
			die("write");
		}
		off += (size_t)w;
	}
	struct buf answer = {0};
	char chunk[65536];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0) {
			if (errno == EINTR) continue;
			die("read");
		}
		put(&answer, chunk, (size_t)r);
	}
	put(&answer, "", 1);
	const char *code = strstr(answer.p, "\"code\":");
	if (!code) {
		fprintf(stderr, "reading the simulated cluster's answer: %s\n", answer.p);
		return 1;
	}
	field(answer.p, "stdout", 1);
	field(answer.p, "stderr", 2);
	return (int)strtol(code + strlen("\"code\":"), NULL, 10);
}
