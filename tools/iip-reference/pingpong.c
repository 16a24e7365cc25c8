/*
 * pingpong.c: jiip's harness for measuring the C reference stack iip
 * (https://github.com/yasukata/iip) with a 1-byte TCP ping-pong, one thread,
 * in memory, as the connection count grows.
 *
 * This file is ours; iip's main.c is not part of this repository. The build
 * (see Makefile) extracts it from upstream into build/ and passes its path as
 * IIP_MAIN_C.
 *
 * Shape, per harness instance (one per connection count, all in one process):
 *  - two iip contexts (client 10.0.0.1, server 10.0.0.2, one /24), each with its
 *    own workspace, MAC, connection objects and pb descriptors;
 *  - a memory wire: l2_push queues a frame on the sender's tx list; l2_flush
 *    (end of every iip_run) copies each queued frame into a fresh receive buffer
 *    of the peer (what a NIC's DMA would do) and frees the transmitted packet;
 *  - each iip_run is given at most BATCH (default 64) received frames;
 *  - packet buffers and packet objects come from preallocated free lists, buffers
 *    are reference counted, clones share the buffer;
 *  - Nagle off (iip's IIP_EX_TCP_SET_NAGLE_DISABLED), one 1-byte request
 *    outstanding per connection; the server echoes the byte from its payload
 *    callback; the client sends the next request from its payload callback;
 *  - offload mode: NIC features report IPv4/TCP rx and tx checksum offload, the
 *    wire computes nothing and the rx checksum callbacks report valid;
 *    software mode: no offload, iip computes and verifies checksums itself.
 *
 * Each harness has its own clock (CLOCK_MONOTONIC minus the time it sat idle
 * while other harnesses ran), so that a paused harness does not see its
 * in-flight segments time out when it resumes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#ifndef IIP_MAIN_C
#error "build with -DIIP_MAIN_C=\"path/to/iip/main.c\" (see Makefile)"
#endif

static void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#include <stdarg.h>
static void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FATAL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* what a typical integrator (e.g. bench-iip) supplies to iip */
#define __iip_memcpy memcpy
#define __iip_memset memset
#define __iip_memcmp memcmp
#define __iip_memmove memmove
#define __iip_assert(_c) do { if (__builtin_expect(!(_c), 0)) fatal("iip assertion failed at %s:%u: %s", __FILE__, __LINE__, #_c); } while (0)
#define IIP_OPS_DEBUG_PRINTF(...) do { } while (0)
#define IIP_EX_OPS_NO_PB() fatal("iip ran out of pb descriptors")
#define IIP_EX_OPS_NO_TCP_CONN() fatal("iip ran out of tcp connection objects")

#define STR2(x) #x
#define STR(x) STR2(x)
#include IIP_MAIN_C

/* ------------------------------------------------------------------------ */
/* packet pool */

#define BUF_SIZE 2048U   /* per packet buffer; iip assumes a 1514-byte capacity */
#define MAX_BATCH 1024U

struct pkt {
	uint8_t *data;
	uint16_t len;
	uint8_t rx_csum_ok; /* set by the wire in offload mode */
	uint8_t tx_marks;   /* offload marks set by iip (not acted on: the wire is ideal) */
	uint32_t buf;       /* buffer index */
	struct pkt *next;   /* scatter-gather chain */
	struct pkt *free_next;
};

struct pool {
	struct pkt *pkts;
	struct pkt *pkt_free;
	uint8_t *bufmem;
	uint32_t *ref;
	uint32_t *buf_free;
	uint32_t buf_free_top;
	uint32_t nbuf;
	uint32_t min_free;
};

struct harness;

struct side {
	struct harness *h;
	void *ws;
	uint8_t mac[6];
	uint32_t ip4_be;
	uint8_t is_server;
	struct side *peer;
	struct pkt **txq;      /* frames pushed by this side since the last flush */
	uint32_t tx_n, tx_cap;
	struct pkt **rxq;      /* ring of frames copied to this side, waiting for iip_run */
	uint32_t rx_head, rx_tail, rx_mask;
	uint64_t frames_rx;
};

struct harness {
	uint32_t nconn;
	uint8_t offload;
	uint16_t batch;
	struct pool pool;
	struct side cli, srv;
	uint8_t srv_mac_resolved;
	uint8_t srv_mac[6];
	uint64_t paused_ns;     /* harness clock = monotonic - paused_ns */
	uint64_t pause_start;
	uint64_t round_trips;
	uint64_t connected, accepted, closed;
	uint64_t send_fail, bad_len, bad_byte;
	uint32_t *conn_rt;      /* per client connection: round trips */
	uint32_t *conn_rt_mark;
	uint32_t re_mark[2];    /* retransmission counters (cli, srv) when measurement starts */
	void **cli_handle;
};

#define SRV_PORT 10000U
#define CLI_PORT_BASE 20000U

static int use_thp = 1;

static void *big_alloc(size_t sz)
{
	void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fatal("mmap %zu bytes failed", sz);
	if (use_thp)
		madvise(p, sz, MADV_HUGEPAGE);
	memset(p, 0, sz); /* prefault */
	return p;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static void pool_init(struct pool *pl, uint32_t n)
{
	uint32_t i;
	pl->nbuf = n;
	pl->pkts = big_alloc(sizeof(struct pkt) * n);
	pl->bufmem = big_alloc((size_t) BUF_SIZE * n);
	pl->ref = big_alloc(sizeof(uint32_t) * n);
	pl->buf_free = big_alloc(sizeof(uint32_t) * n);
	pl->pkt_free = NULL;
	for (i = n; i-- > 0; ) {
		pl->pkts[i].free_next = pl->pkt_free;
		pl->pkt_free = &pl->pkts[i];
	}
	for (i = 0; i < n; i++)
		pl->buf_free[i] = n - 1 - i;
	pl->buf_free_top = n;
	pl->min_free = n;
}

static inline struct pkt *pkt_obj_get(struct pool *pl)
{
	struct pkt *p = pl->pkt_free;
	if (__builtin_expect(!p, 0))
		fatal("packet object pool exhausted (%u)", pl->nbuf);
	pl->pkt_free = p->free_next;
	p->next = NULL;
	p->rx_csum_ok = 0;
	p->tx_marks = 0;
	return p;
}

static inline struct pkt *pkt_alloc(struct pool *pl)
{
	struct pkt *p = pkt_obj_get(pl);
	uint32_t b;
	if (__builtin_expect(!pl->buf_free_top, 0))
		fatal("packet buffer pool exhausted (%u)", pl->nbuf);
	b = pl->buf_free[--pl->buf_free_top];
	if (pl->buf_free_top < pl->min_free)
		pl->min_free = pl->buf_free_top;
	pl->ref[b] = 1;
	p->buf = b;
	p->data = pl->bufmem + (size_t) b * BUF_SIZE;
	p->len = 0;
	return p;
}

static inline void pkt_free(struct pool *pl, struct pkt *p)
{
	while (p) {
		struct pkt *n = p->next;
		if (--pl->ref[p->buf] == 0)
			pl->buf_free[pl->buf_free_top++] = p->buf;
		p->free_next = pl->pkt_free;
		pl->pkt_free = p;
		p = n;
	}
}

static inline struct pkt *pkt_clone(struct pool *pl, struct pkt *p)
{
	struct pkt *head = NULL, **tail = &head;
	while (p) {
		struct pkt *c = pkt_obj_get(pl);
		c->buf = p->buf;
		c->data = p->data;
		c->len = p->len;
		c->tx_marks = p->tx_marks;
		pl->ref[p->buf]++;
		*tail = c;
		tail = &c->next;
		p = p->next;
	}
	return head;
}

/* ------------------------------------------------------------------------ */
/* the wire */

static inline void wire_transfer(struct side *s)
{
	struct harness *h = s->h;
	struct side *d = s->peer;
	uint32_t i;
	for (i = 0; i < s->tx_n; i++) {
		struct pkt *tx = s->txq[i], *seg;
		struct pkt *rx = pkt_alloc(&h->pool);
		uint32_t off = 0;
		for (seg = tx; seg; seg = seg->next) { /* gather, as DMA would */
			if (off + seg->len > BUF_SIZE)
				fatal("frame longer than a buffer");
			memcpy(rx->data + off, seg->data, seg->len);
			off += seg->len;
		}
		rx->len = (uint16_t) off;
		rx->rx_csum_ok = h->offload;
		pkt_free(&h->pool, tx);
		if (d->rx_tail - d->rx_head > d->rx_mask)
			fatal("rx ring overflow");
		d->rxq[d->rx_tail++ & d->rx_mask] = rx;
	}
	s->tx_n = 0;
}

/* ------------------------------------------------------------------------ */
/* iip callbacks */

#define SIDE(o) ((struct side *) (o))
#define POOL(o) (&SIDE(o)->h->pool)
#define PKT(p) ((struct pkt *) (p))

static void *iip_ops_pkt_alloc(void *opaque) { return pkt_alloc(POOL(opaque)); }
static void iip_ops_pkt_free(void *pkt, void *opaque) { if (pkt) pkt_free(POOL(opaque), PKT(pkt)); }
static void *iip_ops_pkt_get_data(void *pkt, void *opaque) { (void) opaque; return PKT(pkt)->data; }
static uint16_t iip_ops_pkt_get_len(void *pkt, void *opaque) { (void) opaque; return PKT(pkt)->len; }
static void iip_ops_pkt_set_len(void *pkt, uint16_t len, void *opaque) { (void) opaque; PKT(pkt)->len = len; }
static void iip_ops_pkt_increment_head(void *pkt, uint16_t len, void *opaque) { (void) opaque; PKT(pkt)->data += len; PKT(pkt)->len -= len; }
static void iip_ops_pkt_decrement_tail(void *pkt, uint16_t len, void *opaque) { (void) opaque; PKT(pkt)->len -= len; }
static void *iip_ops_pkt_clone(void *pkt, void *opaque) { return pkt_clone(POOL(opaque), PKT(pkt)); }
static void iip_ops_pkt_scatter_gather_chain_append(void *pkt_head, void *pkt_tail, void *opaque)
{
	struct pkt *p = PKT(pkt_head);
	(void) opaque;
	while (p->next)
		p = p->next;
	p->next = PKT(pkt_tail);
}
static void *iip_ops_pkt_scatter_gather_chain_get_next(void *pkt_head, void *opaque) { (void) opaque; return PKT(pkt_head)->next; }

static void iip_ops_util_now_ns(uint32_t t[3], void *opaque)
{
	uint64_t ns = mono_ns() - SIDE(opaque)->h->paused_ns;
	uint64_t sec = ns / 1000000000ULL;
	t[0] = (uint32_t) (sec >> 32);
	t[1] = (uint32_t) sec;
	t[2] = (uint32_t) (ns - sec * 1000000000ULL);
}

static uint16_t iip_ops_l2_hdr_len(void *pkt, void *opaque) { (void) pkt; (void) opaque; return 14; }
static uint8_t *iip_ops_l2_hdr_src_ptr(void *pkt, void *opaque) { (void) opaque; return PKT(pkt)->data + 6; }
static uint8_t *iip_ops_l2_hdr_dst_ptr(void *pkt, void *opaque) { (void) opaque; return PKT(pkt)->data; }
static uint16_t iip_ops_l2_ethertype_be(void *pkt, void *opaque) { uint16_t v; (void) opaque; memcpy(&v, PKT(pkt)->data + 12, 2); return v; }
static uint16_t iip_ops_l2_addr_len(void *opaque) { (void) opaque; return 6; }
static void iip_ops_l2_broadcast_addr(uint8_t bcaddr[], void *opaque) { (void) opaque; memset(bcaddr, 0xff, 6); }
static void iip_ops_l2_hdr_craft(void *pkt, uint8_t src[], uint8_t dst[], uint16_t ethertype_be, void *opaque)
{
	uint8_t *d = PKT(pkt)->data;
	(void) opaque;
	memcpy(d, dst, 6);
	memcpy(d + 6, src, 6);
	memcpy(d + 12, &ethertype_be, 2);
}
static uint8_t iip_ops_l2_skip(void *pkt, void *opaque) { (void) pkt; (void) opaque; return 0; }
static void iip_ops_l2_push(void *pkt, void *opaque)
{
	struct side *s = SIDE(opaque);
	if (__builtin_expect(s->tx_n == s->tx_cap, 0))
		fatal("tx list overflow");
	s->txq[s->tx_n++] = PKT(pkt);
}
static void iip_ops_l2_flush(void *opaque) { wire_transfer(SIDE(opaque)); }

static uint8_t iip_ops_arp_lhw(void *opaque) { (void) opaque; return 6; }
static uint8_t iip_ops_arp_lproto(void *opaque) { (void) opaque; return 4; }

static void iip_ops_arp_reply(void *context, void *pkt, void *opaque)
{
	struct side *s = SIDE(opaque);
	uint8_t *a = PKT(pkt)->data + 14 + 8; /* sender hw, sender ip */
	(void) context;
	if (!s->is_server && !memcmp(a + 6, &s->peer->ip4_be, 4)) {
		memcpy(s->h->srv_mac, a, 6);
		s->h->srv_mac_resolved = 1;
	}
}
static void iip_ops_icmp_reply(void *context, void *pkt, void *opaque) { (void) context; (void) pkt; (void) opaque; }

static inline uint8_t *tcp_hdr_of(struct pkt *p)
{
	uint8_t *ip = p->data + 14;
	return ip + ((ip[0] & 0x0f) << 2);
}

static uint8_t iip_ops_tcp_accept(void *context, void *pkt, void *opaque)
{
	uint16_t dport_be;
	(void) context;
	if (!SIDE(opaque)->is_server)
		return 0;
	memcpy(&dport_be, tcp_hdr_of(PKT(pkt)) + 2, 2);
	return dport_be == __iip_htons(SRV_PORT);
}

static void *iip_ops_tcp_accepted(void *context, void *handle, void *pkt, void *opaque)
{
	(void) pkt;
	IIP_EX_TCP_SET_NAGLE_DISABLED(context, handle, 1, opaque);
	SIDE(opaque)->h->accepted++;
	return NULL;
}

static void send_byte(struct side *s, void *handle, uint8_t b)
{
	struct pkt *p = pkt_alloc(&s->h->pool);
	p->data[0] = b;
	p->len = 1;
	if (iip_tcp_send(s->ws, handle, p, 0, s))
		s->h->send_fail++;
}

static void *iip_ops_tcp_connected(void *context, void *handle, void *pkt, void *opaque)
{
	struct side *s = SIDE(opaque);
	struct harness *h = s->h;
	uint32_t idx = __iip_ntohs(((struct iip_tcp_conn *) handle)->local_port_be) - CLI_PORT_BASE;
	(void) pkt;
	if (idx >= h->nconn)
		fatal("connected: unexpected local port");
	IIP_EX_TCP_SET_NAGLE_DISABLED(context, handle, 1, opaque);
	h->cli_handle[idx] = handle;
	h->connected++;
	send_byte(s, handle, (uint8_t) h->conn_rt[idx]);
	return &h->conn_rt[idx];
}

static void iip_ops_tcp_payload(void *context, void *handle, void *pkt, void *tcp_opaque,
				uint16_t head_off, uint16_t tail_off, void *opaque)
{
	struct side *s = SIDE(opaque);
	struct harness *h = s->h;
	struct pkt *p = PKT(pkt);
	uint8_t *ip = p->data + 14;
	uint16_t ihl = (ip[0] & 0x0f) << 2;
	uint8_t *tcp = ip + ihl;
	uint16_t doff = (tcp[12] >> 4) << 2;
	uint16_t tot = (uint16_t) ((ip[2] << 8) | ip[3]);
	uint16_t plen = (uint16_t) (tot - ihl - doff - head_off - tail_off);
	uint8_t b = tcp[doff + head_off];
	(void) context;
	if (__builtin_expect(plen != 1, 0))
		h->bad_len++;
	if (s->is_server) {
		send_byte(s, handle, b);
	} else {
		uint32_t *cnt = (uint32_t *) tcp_opaque;
		if (__builtin_expect(b != (uint8_t) *cnt, 0))
			h->bad_byte++;
		++*cnt;
		h->round_trips++;
		send_byte(s, handle, (uint8_t) *cnt);
	}
	iip_tcp_rxbuf_consumed(context, handle, plen, opaque);
}

static void iip_ops_tcp_acked(void *context, void *handle, void *pkt, void *tcp_opaque, void *opaque)
{
	(void) context; (void) handle; (void) pkt; (void) tcp_opaque; (void) opaque;
}

static void iip_ops_tcp_closed(void *handle, uint8_t local_mac[], uint32_t local_ip4_be, uint16_t local_port_be,
			       uint8_t peer_mac[], uint32_t peer_ip4_be, uint16_t peer_port_be, void *tcp_opaque, void *opaque)
{
	(void) handle; (void) local_mac; (void) local_ip4_be; (void) local_port_be; (void) peer_mac;
	(void) peer_ip4_be; (void) peer_port_be; (void) tcp_opaque;
	SIDE(opaque)->h->closed++;
}

static void iip_ops_udp_payload(void *context, void *pkt, void *opaque) { (void) context; (void) pkt; (void) opaque; }

static uint8_t iip_ops_nic_feature_offload_tx_scatter_gather(void *opaque) { (void) opaque; return 0; }
static uint8_t iip_ops_nic_feature_offload_ip4_rx_checksum(void *opaque) { return SIDE(opaque)->h->offload; }
static uint8_t iip_ops_nic_feature_offload_ip4_tx_checksum(void *opaque) { return SIDE(opaque)->h->offload; }
static uint8_t iip_ops_nic_feature_offload_tcp_rx_checksum(void *opaque) { return SIDE(opaque)->h->offload; }
static uint8_t iip_ops_nic_feature_offload_tcp_tx_checksum(void *opaque) { return SIDE(opaque)->h->offload; }
static uint8_t iip_ops_nic_feature_offload_tcp_tx_tso(void *opaque) { (void) opaque; return 0; }
static uint8_t iip_ops_nic_feature_offload_udp_rx_checksum(void *opaque) { (void) opaque; return 0; }
static uint8_t iip_ops_nic_feature_offload_udp_tx_checksum(void *opaque) { (void) opaque; return 0; }
static uint8_t iip_ops_nic_feature_offload_udp_tx_tso(void *opaque) { (void) opaque; return 0; }
static uint8_t iip_ops_nic_offload_ip4_rx_checksum(void *pkt, void *opaque) { (void) opaque; return PKT(pkt)->rx_csum_ok; }
static uint8_t iip_ops_nic_offload_tcp_rx_checksum(void *pkt, void *opaque) { (void) opaque; return PKT(pkt)->rx_csum_ok; }
static uint8_t iip_ops_nic_offload_udp_rx_checksum(void *pkt, void *opaque) { (void) opaque; return PKT(pkt)->rx_csum_ok; }
static void iip_ops_nic_offload_ip4_tx_checksum_mark(void *pkt, void *opaque) { (void) opaque; PKT(pkt)->tx_marks |= 1; }
static void iip_ops_nic_offload_tcp_tx_checksum_mark(void *pkt, void *opaque) { (void) opaque; PKT(pkt)->tx_marks |= 2; }
static void iip_ops_nic_offload_tcp_tx_tso_mark(void *pkt, void *opaque) { (void) opaque; PKT(pkt)->tx_marks |= 4; }
static void iip_ops_nic_offload_udp_tx_checksum_mark(void *pkt, void *opaque) { (void) opaque; PKT(pkt)->tx_marks |= 8; }
static void iip_ops_nic_offload_udp_tx_tso_mark(void *pkt, void *opaque) { (void) opaque; PKT(pkt)->tx_marks |= 16; }

/* ------------------------------------------------------------------------ */
/* harness */

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

static void side_init(struct harness *h, struct side *s, uint8_t is_server, uint32_t npb, uint32_t nconn_obj)
{
	uint32_t i, ring = pow2_at_least(h->pool.nbuf);
	uint8_t *m;
	s->h = h;
	s->is_server = is_server;
	s->mac[0] = 0x02; s->mac[5] = is_server ? 2 : 1;
	s->ip4_be = __iip_htonl((10U << 24) | (is_server ? 2U : 1U));
	s->ws = big_alloc(iip_workspace_size());
	s->tx_cap = h->pool.nbuf;
	s->txq = big_alloc(sizeof(struct pkt *) * s->tx_cap);
	s->rxq = big_alloc(sizeof(struct pkt *) * ring);
	s->rx_mask = ring - 1;
	m = big_alloc((size_t) iip_pb_size() * npb);
	for (i = 0; i < npb; i++)
		iip_add_pb(s->ws, m + (size_t) iip_pb_size() * i);
	m = big_alloc((size_t) iip_tcp_conn_size() * nconn_obj);
	for (i = 0; i < nconn_obj; i++)
		iip_add_tcp_conn(s->ws, m + (size_t) iip_tcp_conn_size() * i);
}

static inline uint16_t side_run(struct side *s)
{
	void *frames[MAX_BATCH];
	uint32_t next_us;
	uint16_t n = 0;
	while (n < s->h->batch && s->rx_head != s->rx_tail)
		frames[n++] = s->rxq[s->rx_head++ & s->rx_mask];
	s->frames_rx += n;
	iip_run(s->ws, s->mac, s->ip4_be, frames, n, &next_us, s);
	return n;
}

/* one step: the server runs on what the client sent, then the client on the replies */
static inline void step(struct harness *h)
{
	side_run(&h->srv);
	side_run(&h->cli);
}

static void harness_pause(struct harness *h) { h->pause_start = mono_ns(); }
static void harness_resume(struct harness *h) { h->paused_ns += mono_ns() - h->pause_start; }

#define STALL_NS 3000000000ULL

static struct harness *harness_new(uint32_t nconn, uint8_t offload, uint16_t batch)
{
	struct harness *h = calloc(1, sizeof(*h));
	uint32_t nbuf = nconn * 8 + 8192, i, next = 0;
	uint64_t t0;
	h->nconn = nconn;
	h->offload = offload;
	h->batch = batch;
	h->paused_ns = 0;
	pool_init(&h->pool, nbuf);
	h->conn_rt = big_alloc(sizeof(uint32_t) * nconn);
	h->conn_rt_mark = big_alloc(sizeof(uint32_t) * nconn);
	h->cli_handle = big_alloc(sizeof(void *) * nconn);
	side_init(h, &h->cli, 0, nbuf, nconn + 16);
	side_init(h, &h->srv, 1, nbuf, nconn + 16);
	h->cli.peer = &h->srv;
	h->srv.peer = &h->cli;

	/* ARP: the client resolves the server before connecting */
	t0 = mono_ns();
	for (i = 0; !h->srv_mac_resolved; i++) {
		if (i % 100 == 0) {
			iip_arp_request(h->cli.ws, h->cli.mac, h->cli.ip4_be, h->srv.ip4_be, &h->cli);
			wire_transfer(&h->cli);
		}
		step(h);
		if (i > 100000 || mono_ns() - t0 > STALL_NS)
			fatal("ARP did not resolve");
	}

	/* connect in batches of 256 so that the wire never holds more than that many SYNs */
	t0 = mono_ns();
	for (i = 0; h->connected < nconn || h->accepted < nconn; i++) {
		while (next < nconn && next - h->connected < 256) {
			if (iip_tcp_connect(h->cli.ws, h->cli.mac, h->cli.ip4_be, __iip_htons(CLI_PORT_BASE + next),
					    h->srv_mac, h->srv.ip4_be, __iip_htons(SRV_PORT), &h->cli))
				fatal("iip_tcp_connect failed for port %u", CLI_PORT_BASE + next);
			next++;
		}
		step(h);
		if (i > 10000000 || mono_ns() - t0 > 10 * STALL_NS)
			fatal("connection setup stalled: %lu/%u connected, %lu accepted",
			      (unsigned long) h->connected, nconn, (unsigned long) h->accepted);
	}
	return h;
}

/* round trips per second over a slice of about slice_ns */
static double harness_rate(struct harness *h, uint64_t slice_ns)
{
	uint64_t start, now, last_progress, before = h->round_trips, seen = h->round_trips, steps = 0;
	harness_resume(h);
	start = last_progress = mono_ns();
	for (;;) {
		step(h); step(h); step(h); step(h);
		steps += 4;
		now = mono_ns();
		if (h->round_trips != seen) {
			seen = h->round_trips;
			last_progress = now;
		} else if (now - last_progress > STALL_NS || steps > 400000000ULL)
			fatal("stall: %u connections, no round trip for %.1f s", h->nconn, (now - last_progress) / 1e9);
		if (now - start >= slice_ns)
			break;
		if (now - start > 20 * STALL_NS)
			fatal("slice overran");
	}
	harness_pause(h);
	return (double) (h->round_trips - before) * 1e9 / (double) (now - start);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return x < y ? -1 : x > y;
}

/* nearest rank: sorted[n/4], sorted[n/2], sorted[3n/4] (as jiip's PingPongScaling) */
static void quartiles(const double *v, int n, double q[3])
{
	double *s = malloc(sizeof(double) * n);
	memcpy(s, v, sizeof(double) * n);
	qsort(s, n, sizeof(double), cmp_double);
	q[0] = s[n / 4];
	q[1] = s[n / 2];
	q[2] = s[(3 * n) / 4];
	free(s);
}

static void usage(const char *a)
{
	fprintf(stderr, "usage: %s [offload|software] [--batch N] [--rounds N] [--warmup N] [--slice-ms N] [--no-thp] COUNT...\n"
		"  the first COUNT is the baseline of the ratio column; default: offload 32 1000 3000 10000\n", a);
	exit(1);
}

int main(int argc, char **argv)
{
	uint8_t offload = 1;
	uint32_t counts[16];
	int ncounts = 0, rounds = 12, warmup = 2, i, r;
	uint16_t batch = 64;
	uint64_t slice_ns = 250000000ULL, warm_slice_ns = 300000000ULL;
	struct harness *hs[16];
	double *rates[16], *ratios[16];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "offload")) offload = 1;
		else if (!strcmp(argv[i], "software")) offload = 0;
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = (uint16_t) atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--slice-ms") && i + 1 < argc) slice_ns = (uint64_t) atoi(argv[++i]) * 1000000ULL;
		else if (!strcmp(argv[i], "--no-thp")) use_thp = 0;
		else if (argv[i][0] >= '0' && argv[i][0] <= '9' && ncounts < 16) counts[ncounts++] = (uint32_t) atoi(argv[i]);
		else usage(argv[0]);
	}
	if (!ncounts) {
		counts[0] = 32; counts[1] = 1000; counts[2] = 3000; counts[3] = 10000;
		ncounts = 4;
	}
	if (batch < 1 || batch > MAX_BATCH || rounds < 1)
		usage(argv[0]);
	for (i = 0; i < ncounts; i++)
		if (counts[i] < 1 || counts[i] > 40000)
			fatal("connection count must be 1..40000");

	printf("iip ping-pong, %s, IIP_CONF_TCP_CONN_HT_SIZE=%u, batch %u, %d rounds of %lu ms, THP %s\n",
	       offload ? "checksum offload" : "software checksums", (unsigned) IIP_CONF_TCP_CONN_HT_SIZE, batch, rounds,
	       (unsigned long) (slice_ns / 1000000ULL), use_thp ? "madvise" : "off");
	printf("sizes: workspace %u B, tcp conn %u B, pb %u B\n", iip_workspace_size(), iip_tcp_conn_size(), iip_pb_size());
	fflush(stdout);

	for (i = 0; i < ncounts; i++) {
		hs[i] = harness_new(counts[i], offload, batch);
		harness_pause(hs[i]);
		rates[i] = calloc(rounds, sizeof(double));
		ratios[i] = calloc(rounds, sizeof(double));
	}
	for (r = 0; r < warmup; r++)
		for (i = 0; i < ncounts; i++)
			harness_rate(hs[i], warm_slice_ns);
	for (i = 0; i < ncounts; i++) {
		memcpy(hs[i]->conn_rt_mark, hs[i]->conn_rt, sizeof(uint32_t) * hs[i]->nconn);
		hs[i]->re_mark[0] = ((struct workspace *) hs[i]->cli.ws)->monitor.tcp.tx_pkt_re;
		hs[i]->re_mark[1] = ((struct workspace *) hs[i]->srv.ws)->monitor.tcp.tx_pkt_re;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < ncounts; i++)
			rates[i][r] = harness_rate(hs[i], slice_ns);
		for (i = 0; i < ncounts; i++)
			ratios[i][r] = rates[i][r] / rates[0][r];
	}

	printf("%-12s %22s %28s\n", "connections", "median M round trips/s", "median ratio to first (q1-q3)");
	for (i = 0; i < ncounts; i++) {
		double q[3], rq[3];
		quartiles(rates[i], rounds, rq);
		quartiles(ratios[i], rounds, q);
		printf("%-12u %22.2f %14.2f (%.2f-%.2f)\n", counts[i], rq[1] / 1e6, q[1], q[0], q[2]);
	}
	{
		int bad = 0;
		printf("checks:\n");
		for (i = 0; i < ncounts; i++) {
			struct harness *h = hs[i];
			struct workspace *cw = h->cli.ws, *sw = h->srv.ws;
			uint32_t c, idle = 0, minrt = UINT32_MAX;
			for (c = 0; c < h->nconn; c++) {
				uint32_t d = h->conn_rt[c] - h->conn_rt_mark[c];
				if (!d) idle++;
				if (d < minrt) minrt = d;
			}
			printf("  %u conns: %lu round trips, %lu connected, %lu accepted, %lu closed, %lu send failures, "
			       "%lu bad lengths, %lu bad echo bytes, %u conns idle during measurement (min %u round trips/conn), "
			       "retransmissions cli %u srv %u (during measurement %u %u), pool %u buffers (low-water free %u), frames rx cli %lu srv %lu\n",
			       h->nconn, (unsigned long) h->round_trips, (unsigned long) h->connected, (unsigned long) h->accepted,
			       (unsigned long) h->closed, (unsigned long) h->send_fail, (unsigned long) h->bad_len,
			       (unsigned long) h->bad_byte, idle, minrt, cw->monitor.tcp.tx_pkt_re, sw->monitor.tcp.tx_pkt_re,
			       cw->monitor.tcp.tx_pkt_re - h->re_mark[0], sw->monitor.tcp.tx_pkt_re - h->re_mark[1],
			       h->pool.nbuf, h->pool.min_free, (unsigned long) h->cli.frames_rx, (unsigned long) h->srv.frames_rx);
			if (h->closed || h->send_fail || h->bad_len || h->bad_byte || idle || h->connected != h->nconn)
				bad = 1;
		}
		printf(bad ? "CHECKS FAILED\n" : "checks OK\n");
		return bad ? 3 : 0;
	}
}
