/*
 * blaster: the practical ceiling of an SMSC for benches/peers.sh - an SMPP client that does
 * no SMPP work while the clock runs.
 *
 *   gcc -O2 -Wall -Wextra -Werror -o blaster blaster.c
 *   blaster --host H --port P -n N -w W
 *
 * Connects (TCP_NODELAY), binds transmitter as bench/secret, and PRE-ENCODES all N submit_sm
 * (source 0/0 "12345", destination 0/0 "31600000000", data_coding 0, text
 * "bench message 0123456789", sequence numbers 2..N+1) into one buffer before the clock
 * starts. Then it writes them keeping at most W unanswered - everything the window allows in
 * one write() call - and reads the responses in big reads, looking only at command_length,
 * command_id and command_status to count them; every one must be a submit_sm_resp with
 * status 0. The clock runs from the bind response to the N-th response.
 *
 * At window 1 it also times each round trip (CLOCK_MONOTONIC, from the write() of a
 * submit_sm to the read() that completes its response) and prints
 *   latency p50 X us p99 Y us
 * - the raw TCP ping-pong of the same bytes, what a client library's window-1 latency is
 * compared against. The last line is
 *   blaster: N msgs in T s = R msg/s (window W)
 * Any error (connect, bind refused, a nonzero status, an unexpected PDU, the SMSC closing
 * the connection, no response for 30 s) is reported on stderr with exit status 1; usage
 * errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BIND_TRANSMITTER 0x00000002u
#define BIND_TRANSMITTER_RESP 0x80000002u
#define SUBMIT_SM 0x00000004u
#define SUBMIT_SM_RESP 0x80000004u
#define UNBIND 0x00000006u
#define UNBIND_RESP 0x80000006u
#define ENQUIRE_LINK 0x00000015u
#define ENQUIRE_LINK_RESP 0x80000015u
#define GENERIC_NACK 0x80000000u

#define RBUF_SIZE (256 * 1024)
#define MAX_PDU 65536u

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("blaster: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(void)
{
	fputs("usage: blaster --host H --port P -n N -w W\n", stderr);
	exit(2);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Appends a C-Octet-String (with its NUL) at *p. */
static void cstr(unsigned char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	memcpy(*p, s, n);
	*p += n;
}

/* Encodes one PDU (header + body) into out, returns its length. */
static size_t pdu(unsigned char *out, uint32_t id, uint32_t seq, const unsigned char *body, size_t blen)
{
	put32(out, (uint32_t)(16 + blen));
	put32(out + 4, id);
	put32(out + 8, 0);
	put32(out + 12, seq);
	if (blen)
		memcpy(out + 16, body, blen);
	return 16 + blen;
}

/* Writes all of buf (blocking socket), retrying short writes and EINTR. */
static void write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* One read() into buf[*have..cap), retrying EINTR; dies on EOF, error or a 30 s stall. */
static void read_some(int fd, unsigned char *buf, size_t *have, size_t cap, const char *waiting_for)
{
	for (;;) {
		ssize_t n = read(fd, buf + *have, cap - *have);
		if (n > 0) {
			*have += (size_t)n;
			return;
		}
		if (n == 0)
			die("the SMSC closed the connection while waiting for %s", waiting_for);
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			die("no data from the SMSC for 30 s while waiting for %s", waiting_for);
		die("read: %s", strerror(errno));
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n), in microseconds. */
static double pct_us(const int64_t *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1] / 1000.0;
}

static unsigned long parse_num(const char *s, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || *s == '-' || v < 1 || v > max)
		usage();
	return v;
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		die("cannot resolve %s:%s: %s", host, port, gai_strerror(rc));
	int fd = -1, err = 0;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		while ((rc = connect(fd, ai->ai_addr, ai->ai_addrlen)) < 0 && errno == EINTR)
			;
		if (rc == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		die("cannot connect to %s:%s: %s", host, port, strerror(err));
	int one = 1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
		die("setsockopt TCP_NODELAY: %s", strerror(errno));
	struct timeval tv = {30, 0};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
		die("setsockopt SO_RCVTIMEO: %s", strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = NULL;
	unsigned long n = 0, w = 0;
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--host"))
			host = argv[++i];
		else if (!strcmp(argv[i], "--port"))
			port = argv[++i], (void)parse_num(port, 65535);
		else if (!strcmp(argv[i], "-n"))
			n = parse_num(argv[++i], 100000000);
		else if (!strcmp(argv[i], "-w"))
			w = parse_num(argv[++i], 1000000);
		else
			usage();
	}
	if (!host || !port || !n || !w)
		usage();
	const unsigned long w_arg = w;
	if (w > n)
		w = n;

	/* ---- pre-encode every submit_sm */
	unsigned char body[256], *p = body;
	cstr(&p, "");            /* service_type */
	*p++ = 0;                /* source_addr_ton */
	*p++ = 0;                /* source_addr_npi */
	cstr(&p, "12345");       /* source_addr */
	*p++ = 0;                /* dest_addr_ton */
	*p++ = 0;                /* dest_addr_npi */
	cstr(&p, "31600000000"); /* destination_addr */
	*p++ = 0;                /* esm_class */
	*p++ = 0;                /* protocol_id */
	*p++ = 0;                /* priority_flag */
	cstr(&p, "");            /* schedule_delivery_time */
	cstr(&p, "");            /* validity_period */
	*p++ = 0;                /* registered_delivery */
	*p++ = 0;                /* replace_if_present_flag */
	*p++ = 0;                /* data_coding */
	*p++ = 0;                /* sm_default_msg_id */
	static const char text[] = "bench message 0123456789";
	*p++ = (unsigned char)(sizeof text - 1); /* sm_length */
	memcpy(p, text, sizeof text - 1);
	p += sizeof text - 1;
	const size_t blen = (size_t)(p - body), L = 16 + blen;
	unsigned char *out = malloc(n * L);
	if (!out)
		die("cannot allocate %lu bytes for %lu submit_sm", n * L, n);
	for (unsigned long i = 0; i < n; i++)
		pdu(out + i * L, SUBMIT_SM, (uint32_t)(i + 2), body, blen);
	int64_t *sent_at = NULL, *rtt = NULL;
	if (w == 1) {
		sent_at = malloc(n * sizeof *sent_at);
		rtt = malloc(n * sizeof *rtt);
		if (!sent_at || !rtt)
			die("cannot allocate the latency arrays");
	}
	unsigned char *rbuf = malloc(RBUF_SIZE);
	if (!rbuf)
		die("cannot allocate the read buffer");

	/* ---- connect and bind */
	int fd = connect_to(host, port);
	unsigned char bbody[64], bpdu[80];
	p = bbody;
	cstr(&p, "bench");  /* system_id */
	cstr(&p, "secret"); /* password */
	cstr(&p, "");       /* system_type */
	*p++ = 0x34;        /* interface_version */
	*p++ = 0;           /* addr_ton */
	*p++ = 0;           /* addr_npi */
	cstr(&p, "");       /* address_range */
	write_all(fd, bpdu, pdu(bpdu, BIND_TRANSMITTER, 1, bbody, (size_t)(p - bbody)));
	size_t have = 0;
	for (;;) {
		read_some(fd, rbuf, &have, RBUF_SIZE, "bind_transmitter_resp");
		if (have >= 16 && have >= get32(rbuf))
			break;
	}
	uint32_t blen_resp = get32(rbuf), bid = get32(rbuf + 4), bstatus = get32(rbuf + 8);
	if (blen_resp < 16 || blen_resp > MAX_PDU)
		die("bad command_length %u in the bind response", blen_resp);
	if (bid != BIND_TRANSMITTER_RESP)
		die("expected bind_transmitter_resp, got command_id 0x%08x status 0x%08x", bid, bstatus);
	if (bstatus != 0)
		die("bind refused: command_status 0x%08x", bstatus);
	memmove(rbuf, rbuf + blen_resp, have - blen_resp);
	have -= blen_resp;

	/* ---- the run: clock from the bind response to the N-th response */
	const int64_t t0 = now_ns();
	const size_t total = n * L;
	size_t wr = 0;              /* bytes of `out` written */
	unsigned long acked = 0;    /* submit_sm_resp counted */
	unsigned long pending_el = 0; /* enquire_link to answer at the next PDU boundary */
	uint32_t pending_el_seq = 0;
	while (acked < n) {
		if (pending_el && wr % L == 0) {
			unsigned char r[16];
			write_all(fd, r, pdu(r, ENQUIRE_LINK_RESP, pending_el_seq, NULL, 0));
			pending_el = 0;
		}
		size_t limit = (acked + w) * L;
		if (limit > total)
			limit = total;
		if (wr < limit) {
			if (sent_at && wr % L == 0)
				sent_at[wr / L] = now_ns();
			ssize_t k = write(fd, out + wr, limit - wr);
			if (k < 0) {
				if (errno == EINTR)
					continue;
				die("write: %s", strerror(errno));
			}
			wr += (size_t)k;
			if (wr / L == acked)
				continue; /* not one whole submit_sm out yet: nothing to wait for */
		}
		read_some(fd, rbuf, &have, RBUF_SIZE, "submit_sm_resp");
		const int64_t t = sent_at ? now_ns() : 0;
		size_t pos = 0;
		while (have - pos >= 16) {
			const unsigned char *h = rbuf + pos;
			uint32_t len = get32(h), id = get32(h + 4), st = get32(h + 8);
			if (len < 16 || len > MAX_PDU)
				die("bad command_length %u after %lu responses", len, acked);
			if (have - pos < len)
				break;
			if (id == SUBMIT_SM_RESP) {
				if (st != 0)
					die("submit_sm_resp with command_status 0x%08x (sequence %u)", st, get32(h + 12));
				if (acked >= wr / L)
					die("more submit_sm_resp than submit_sm sent");
				if (rtt)
					rtt[acked] = t - sent_at[acked];
				acked++;
			} else if (id == ENQUIRE_LINK) {
				pending_el = 1;
				pending_el_seq = get32(h + 12);
			} else if (id == GENERIC_NACK) {
				die("generic_nack with command_status 0x%08x (sequence %u)", st, get32(h + 12));
			} else {
				die("unexpected PDU command_id 0x%08x status 0x%08x", id, st);
			}
			pos += len;
		}
		memmove(rbuf, rbuf + pos, have - pos);
		have -= pos;
	}
	const double secs = (double)(now_ns() - t0) / 1e9;

	/* ---- unbind (best effort: the measurement is done) */
	unsigned char u[16];
	write_all(fd, u, pdu(u, UNBIND, (uint32_t)(n + 2), NULL, 0));
	struct timeval tv = {2, 0};
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	for (int tries = 0; tries < 100; tries++) {
		if (have >= 16 && have >= get32(rbuf)) {
			uint32_t len = get32(rbuf);
			if (len < 16 || get32(rbuf + 4) == UNBIND_RESP)
				break;
			memmove(rbuf, rbuf + len, have - len);
			have -= len;
			continue;
		}
		ssize_t k = read(fd, rbuf + have, RBUF_SIZE - have);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		have += (size_t)k;
	}
	close(fd);

	if (rtt) {
		qsort(rtt, n, sizeof *rtt, cmp_i64);
		printf("latency p50 %.0f us p99 %.0f us\n", pct_us(rtt, n, 50), pct_us(rtt, n, 99));
	}
	printf("blaster: %lu msgs in %.3f s = %.0f msg/s (window %lu)\n", n, secs, (double)n / secs, w_arg);
	free(out);
	free(sent_at);
	free(rtt);
	free(rbuf);
	return fflush(stdout) == 0 ? 0 : 1;
}
