#!/usr/bin/env node
'use strict';
/*
 * Scriptable SMSC for interop tests, built on node-smpp's server
 * (npm `smpp`, version pinned in tests/interop/package.json).
 *
 *   node tests/interop/smsc.js [--port 0] [--system-id X --password Y] [--quiet]
 *       [--receipt-text N]
 *       [--tls-cert FILE --tls-key FILE [--tls-ca FILE] [--tls-request-cert]
 *        [--tls-min 1.0|1.1|1.2|1.3] [--tls-max 1.0|1.1|1.2|1.3]]
 *       [--on-bind answer|close] [--on-decode-error close|keep]
 *
 * With --tls-cert the SMSC speaks SMPP over TLS (node-smpp's own SecureServer, i.e.
 * tls.Server); --tls-request-cert makes it mutual TLS (client certificate required and
 * verified against --tls-ca).
 *
 * --receipt-text N copies the first N characters of each submitted part's text into its
 * receipt's `text:` field, as real SMSCs do (typically 20; characters outside printable ASCII
 * become '?'). Default 0: `text:` stays empty.
 *
 * Listens on 127.0.0.1 (--port 0 = ephemeral, the default), prints exactly one
 * line `LISTENING <port>` on stdout, then one JSON object per line per event.
 * Reads one JSON command per line on stdin; every command is answered with
 * {"event":"ack","cmd":...} once carried out, or {"event":"error","cmd":...}.
 * Exits 0 on {"cmd":"quit"} or when stdin is closed (EOF).
 *
 * The full stdin/stdout protocol is documented in tests/interop/README.md.
 */

var smpp = require('smpp');
var defs = require('smpp/lib/defs');
var readline = require('readline');
var fs = require('fs');

var PDU = smpp.PDU;
var E = defs.errors;

// ---------------------------------------------------------------- arguments
var opts = {port: 0, systemId: null, password: null, quiet: false, receiptText: 0,
	tlsCert: null, tlsKey: null, tlsCa: null, tlsRequestCert: false, tlsMin: null, tlsMax: null,
	onBind: 'answer', onDecodeError: 'close'};
var TLS_VERSIONS = {'1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3'};
(function parseArgs(argv) {
	for (var i = 0; i < argv.length; i++) {
		var a = argv[i];
		var next = function() {
			if (i + 1 >= argv.length) usage('missing value for ' + a);
			return argv[++i];
		};
		if (a === '--port') opts.port = parseInt(next(), 10);
		else if (a === '--system-id') opts.systemId = next();
		else if (a === '--password') opts.password = next();
		else if (a === '--quiet') opts.quiet = true;
		else if (a === '--receipt-text') opts.receiptText = parseInt(next(), 10);
		else if (a === '--tls-cert') opts.tlsCert = next();
		else if (a === '--tls-key') opts.tlsKey = next();
		else if (a === '--tls-ca') opts.tlsCa = next();
		else if (a === '--tls-request-cert') opts.tlsRequestCert = true;
		else if (a === '--tls-min') opts.tlsMin = next();
		else if (a === '--tls-max') opts.tlsMax = next();
		else if (a === '--on-bind') opts.onBind = next();
		else if (a === '--on-decode-error') opts.onDecodeError = next();
		else usage('unknown argument ' + a);
	}
	if (!(opts.port >= 0 && opts.port <= 65535)) usage('bad --port');
	if (!(opts.receiptText >= 0 && opts.receiptText <= 160)) usage('bad --receipt-text (0..160)');
	if (!!opts.tlsCert !== !!opts.tlsKey) usage('--tls-cert and --tls-key go together');
	if (!opts.tlsCert && (opts.tlsCa || opts.tlsRequestCert || opts.tlsMin || opts.tlsMax)) {
		usage('--tls-ca/--tls-request-cert/--tls-min/--tls-max need --tls-cert and --tls-key');
	}
	if (opts.tlsRequestCert && !opts.tlsCa) usage('--tls-request-cert needs --tls-ca');
	if (opts.tlsMin && !(opts.tlsMin in TLS_VERSIONS)) usage('bad --tls-min (1.0|1.1|1.2|1.3)');
	if (opts.tlsMax && !(opts.tlsMax in TLS_VERSIONS)) usage('bad --tls-max (1.0|1.1|1.2|1.3)');
	if (['answer', 'close'].indexOf(opts.onBind) < 0) usage('bad --on-bind (answer|close)');
	if (['close', 'keep'].indexOf(opts.onDecodeError) < 0) usage('bad --on-decode-error (close|keep)');
})(process.argv.slice(2));

function usage(msg) {
	process.stderr.write('smsc.js: ' + msg + '\n' +
		'usage: node smsc.js [--port 0] [--system-id X --password Y] [--quiet] [--receipt-text N]\n' +
		'         [--tls-cert FILE --tls-key FILE [--tls-ca FILE] [--tls-request-cert]\n' +
		'          [--tls-min 1.0|1.1|1.2|1.3] [--tls-max 1.0|1.1|1.2|1.3]]\n' +
		'         [--on-bind answer|close] [--on-decode-error close|keep]\n');
	process.exit(2);
}

// ---------------------------------------------------------------- output
function emit(obj) {
	process.stdout.write(JSON.stringify(obj) + '\n');
}
// Per-PDU traffic events, suppressed by --quiet (benchmarks).
function emitTraffic(obj) {
	if (!opts.quiet) emit(obj);
}

// ---------------------------------------------------------------- raw bytes
// node-smpp decodes short_message through its text filter (lossy: GSM table,
// unknown octets become spaces, "R" times become Date objects...). Keep the
// raw PDU so events can report the exact octets the peer sent.
var origFromBuffer = PDU.prototype.fromBuffer;
PDU.prototype.fromBuffer = function(buffer) {
	Object.defineProperty(this, '_raw', {value: Buffer.from(buffer), enumerable: false});
	return origFromBuffer.call(this, buffer);
};

function hex(b) {
	return Buffer.isBuffer(b) ? b.toString('hex') : null;
}

var tlvNameById = {};
Object.keys(defs.tlvs).forEach(function(name) {
	var id = defs.tlvs[name].id;
	if (!(id in tlvNameById)) tlvNameById[id] = name; // 0x130c: alert_on_message_delivery
});

// Walk the raw body of submit_sm / deliver_sm (SMPP 3.4 5.2 layout) ourselves.
// Returns null if the PDU is malformed (node-smpp is lenient about that).
function rawSm(buf) {
	try {
		var len = buf.readUInt32BE(0), off = 16, r = {};
		var cstr = function() {
			var end = buf.indexOf(0, off);
			if (end < 0 || end >= len) throw new Error('unterminated C-string');
			var s = buf.toString('latin1', off, end);
			off = end + 1;
			return s;
		};
		var u8 = function() {
			if (off >= len) throw new Error('truncated');
			return buf[off++];
		};
		r.service_type = cstr();
		r.source_addr_ton = u8(); r.source_addr_npi = u8(); r.source_addr = cstr();
		r.dest_addr_ton = u8(); r.dest_addr_npi = u8(); r.destination_addr = cstr();
		r.esm_class = u8(); r.protocol_id = u8(); r.priority_flag = u8();
		r.schedule_delivery_time = cstr(); r.validity_period = cstr();
		r.registered_delivery = u8(); r.replace_if_present_flag = u8();
		r.data_coding = u8(); r.sm_default_msg_id = u8();
		var smLen = u8();
		if (off + smLen > len) throw new Error('short_message overruns PDU');
		r.short_message = buf.slice(off, off + smLen);
		off += smLen;
		r.tlvs = {};
		r.tlv_order = [];
		while (off < len) {
			if (off + 4 > len) throw new Error('truncated TLV header');
			var tag = buf.readUInt16BE(off), l = buf.readUInt16BE(off + 2);
			off += 4;
			if (off + l > len) throw new Error('TLV value overruns PDU');
			var name = tlvNameById[tag] || ('0x' + ('000' + tag.toString(16)).slice(-4));
			var v = buf.slice(off, off + l).toString('hex');
			off += l;
			if (name in r.tlvs) {
				if (!Array.isArray(r.tlvs[name])) r.tlvs[name] = [r.tlvs[name]];
				r.tlvs[name].push(v);
			} else {
				r.tlvs[name] = v;
			}
			r.tlv_order.push(tag);
		}
		return r;
	} catch (e) {
		return {malformed: e.message};
	}
}

// node-smpp's own reading of the text (what a node-smpp application would see).
function nodeText(pdu) {
	var sm = pdu.short_message;
	if (sm && typeof sm === 'object' && !Buffer.isBuffer(sm) && 'message' in sm) {
		return typeof sm.message === 'string' ? sm.message : hex(sm.message);
	}
	return typeof sm === 'string' ? sm : null;
}

// ---------------------------------------------------------------- state
var nextMessageId = 2871;    // ids are "<counter>-1": opaque, non-numeric
var nextSessionId = 1;
var nextRef = 1;             // 8-bit concatenation reference for "mo" parts
var receiptsOn = true;
var receiptText = opts.receiptText; // characters of the text copied into a receipt's text:
var holdOn = false;
var throttleLeft = 0;
var closeAfter = 0;          // 0 = disarmed; else close on the Nth next submit_sm
var sessions = [];           // live sessions, in connection order
var stats = {submit_sm: 0, submit_sm_resp_ok: 0, submit_sm_resp_err: 0, held: 0,
	receipts: 0, deliver_sm: 0, deliver_sm_resp: 0, binds: 0};

var BIND_MODES = {
	bind_transmitter: 'transmitter',
	bind_receiver: 'receiver',
	bind_transceiver: 'transceiver'
};

function canSend(s) { return s.bound === 'transmitter' || s.bound === 'transceiver'; }
function canReceive(s) { return s.bound === 'receiver' || s.bound === 'transceiver'; }
function alive(s) { return !s.closed && s.session.socket.writable; }

// Most recently bound live session that may receive deliver_sm.
function currentRx() {
	for (var i = sessions.length - 1; i >= 0; i--) {
		if (alive(sessions[i]) && canReceive(sessions[i])) return sessions[i];
	}
	return null;
}
function currentAny() {
	for (var i = sessions.length - 1; i >= 0; i--) {
		if (alive(sessions[i]) && sessions[i].bound) return sessions[i];
	}
	for (i = sessions.length - 1; i >= 0; i--) {
		if (alive(sessions[i])) return sessions[i];
	}
	return null;
}

function yymmddhhmm(d) {
	var p = function(n) { return ('0' + n).slice(-2); };
	return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) +
		p(d.getUTCHours()) + p(d.getUTCMinutes());
}

// ---------------------------------------------------------------- server side
function destroy(s, reason) {
	s.closedBy = s.closedBy || reason;
	s.dead = true; // ignore PDUs node-smpp still parses from its buffer
	s.session.destroy();
}

// Closes a session from the SMSC side at once without losing the responses already
// written: FIN after them, no more PDUs handled (s.dead), the socket destroyed when the
// client has closed too (or after 2 s). destroy() instead, with the client's later PDUs
// still unread, resets the connection, and the kernel drops what it had not sent yet - a
// response written a moment before (seen with Debian's node 18 in about 1 run of 5).
function endSession(s, reason) {
	s.closedBy = s.closedBy || reason;
	s.dead = true;
	var sock = s.session.socket;
	sock.end();
	setTimeout(function() { sock.destroy(); }, 2000).unref();
}

function sendDeliver(s, pduOpts, kind, extra) {
	var pdu = new PDU('deliver_sm', pduOpts);
	stats.deliver_sm++;
	s.session.send(pdu, function(resp) {
		stats.deliver_sm_resp++;
		var ev = {event: 'deliver_sm_resp', session: s.id, seq: resp.sequence_number,
			command: resp.command, command_status: resp.command_status, kind: kind};
		if (resp.command === 'deliver_sm_resp' && !resp.command_status) ev.message_id = resp.message_id;
		for (var k in extra) ev[k] = extra[k];
		emitTraffic(ev);
	});
	return pdu.sequence_number;
}

// The start of a submitted part's text for its receipt (--receipt-text / the receipts
// command's "text"): what node-smpp decoded, UDH removed, cut to N characters, printable
// ASCII kept and anything else '?'.
function receiptFragment(submit) {
	if (!receiptText) return '';
	var t = nodeText(submit);
	if (typeof t !== 'string') return '';
	return Array.from(t).slice(0, receiptText).map(function(c) {
		return c >= ' ' && c <= '~' ? c : '?';
	}).join('');
}

function sendReceipt(from, submit, raw, messageId) {
	var target = canReceive(from) ? from : null;
	if (!target) {
		for (var i = sessions.length - 1; i >= 0; i--) {
			var c = sessions[i];
			if (alive(c) && canReceive(c) && c.systemId === from.systemId) { target = c; break; }
		}
	}
	if (!target) return;
	var now = yymmddhhmm(new Date());
	var text = 'id:' + messageId + ' sub:001 dlvr:001 submit date:' + now + ' done date:' + now +
		' stat:DELIVRD err:000 text:' + receiptFragment(submit);
	stats.receipts++;
	sendDeliver(target, {
		source_addr_ton: raw.dest_addr_ton, source_addr_npi: raw.dest_addr_npi,
		source_addr: raw.destination_addr,
		dest_addr_ton: raw.source_addr_ton, dest_addr_npi: raw.source_addr_npi,
		destination_addr: raw.source_addr,
		esm_class: 0x04,
		data_coding: 0x00,
		short_message: Buffer.from(text, 'ascii'),
		receipted_message_id: messageId,
		message_state: 2
	}, 'receipt', {receipted_message_id: messageId});
}

function answerSubmit(s, pdu, raw, ev) {
	if (throttleLeft > 0) {
		throttleLeft--;
		stats.submit_sm_resp_err++;
		s.session.send(pdu.response({command_status: E.ESME_RTHROTTLED}));
		return;
	}
	var id = (nextMessageId++) + '-1';
	ev.message_id = id;
	stats.submit_sm_resp_ok++;
	s.session.send(pdu.response({message_id: id}));
	if (receiptsOn && (raw.registered_delivery & 1)) sendReceipt(s, pdu, raw, id);
}

function onSubmit(s, pdu) {
	stats.submit_sm++;
	var raw = rawSm(pdu._raw);
	var ev = {event: 'submit_sm', session: s.id, seq: pdu.sequence_number, message_id: null};
	if (raw.malformed) {
		ev.malformed = raw.malformed;
		emitTraffic(ev);
		s.session.send(pdu.response({command_status: E.ESME_RINVCMDLEN}));
		return;
	}
	['service_type', 'source_addr_ton', 'source_addr_npi', 'source_addr', 'dest_addr_ton',
		'dest_addr_npi', 'destination_addr', 'esm_class', 'protocol_id', 'priority_flag',
		'schedule_delivery_time', 'validity_period', 'registered_delivery',
		'replace_if_present_flag', 'data_coding', 'sm_default_msg_id'].forEach(function(k) {
		ev[k] = raw[k];
	});
	ev.short_message_hex = raw.short_message.toString('hex');
	ev.tlvs = raw.tlvs;
	ev.text = nodeText(pdu);
	if (pdu.short_message && Array.isArray(pdu.short_message.udh)) {
		ev.udh_hex = Buffer.concat(pdu.short_message.udh).toString('hex');
	}

	var closeNow = false;
	if (closeAfter > 0) {
		closeAfter--;
		closeNow = closeAfter === 0;
	}
	if (!s.bound || !canSend(s)) {
		ev.command_status = E.ESME_RINVBNDSTS;
		emitTraffic(ev);
		s.session.send(pdu.response({command_status: E.ESME_RINVBNDSTS}));
	} else if (closeNow) {
		ev.unanswered = 'close_after_submits';
		emitTraffic(ev);
		endSession(s, 'smsc');
		return;
	} else if (holdOn) {
		stats.held++;
		s.held.push({pdu: pdu, raw: raw});
		ev.unanswered = 'hold';
		emitTraffic(ev);
	} else {
		var before = throttleLeft;
		answerSubmit(s, pdu, raw, ev);
		ev.command_status = before > 0 ? E.ESME_RTHROTTLED : 0;
		emitTraffic(ev);
	}
}

function onBind(s, pdu) {
	var mode = BIND_MODES[pdu.command];
	stats.binds++;
	var status = 0;
	if (s.bound) status = E.ESME_RALYBND;
	else if (opts.systemId !== null && pdu.system_id !== opts.systemId) status = E.ESME_RINVSYSID;
	else if (opts.password !== null && pdu.password !== opts.password) status = E.ESME_RINVPASWD;
	emit({event: 'bind', session: s.id, seq: pdu.sequence_number, mode: mode,
		system_id: pdu.system_id, password: pdu.password, system_type: pdu.system_type,
		interface_version: pdu.interface_version, addr_ton: pdu.addr_ton, addr_npi: pdu.addr_npi,
		address_range: pdu.address_range, command_status: opts.onBind === 'close' ? null : status});
	if (opts.onBind === 'close') {
		// An SMSC that drops a bind it will not take without a word (some do, e.g. for an
		// address or account they refuse).
		destroy(s, 'smsc');
	} else if (status) {
		// node-smpp: any non-zero command_status => header-only response.
		s.session.send(pdu.response({command_status: status}));
	} else {
		s.bound = mode;
		s.systemId = pdu.system_id;
		s.session.send(pdu.response({system_id: 'NODESMSC'}));
	}
}

function onPdu(s, pdu) {
	if (s.dead) return;
	switch (pdu.command) {
	case 'bind_transmitter':
	case 'bind_receiver':
	case 'bind_transceiver':
		return onBind(s, pdu);
	case 'submit_sm':
		return onSubmit(s, pdu);
	case 'enquire_link':
		emitTraffic({event: 'enquire_link', session: s.id, seq: pdu.sequence_number});
		s.session.send(pdu.response());
		return;
	case 'enquire_link_resp':
		emitTraffic({event: 'enquire_link_resp', session: s.id, seq: pdu.sequence_number,
			command_status: pdu.command_status});
		return;
	case 'unbind':
		emit({event: 'unbind', session: s.id, seq: pdu.sequence_number});
		s.unbinding = true;
		s.session.send(pdu.response(), function() {
			s.closedBy = s.closedBy || 'smsc';
			s.session.close();
		});
		return;
	case 'unbind_resp':
		emit({event: 'unbind_resp', session: s.id, seq: pdu.sequence_number,
			command_status: pdu.command_status});
		s.closedBy = s.closedBy || 'smsc';
		s.session.close();
		return;
	case 'deliver_sm_resp':
		return; // reported by the send callback in sendDeliver
	case 'generic_nack':
		emit({event: 'generic_nack', session: s.id, seq: pdu.sequence_number,
			command_status: pdu.command_status});
		return;
	default:
		emit({event: 'pdu', session: s.id, command: pdu.command, command_id: pdu.command_id,
			seq: pdu.sequence_number, command_status: pdu.command_status,
			hex: pdu._raw ? pdu._raw.toString('hex') : null});
		if (!pdu.isResponse()) {
			// unknown command id -> generic_nack ESME_RINVCMDID (node-smpp's
			// PDU#response); known but unsupported -> <cmd>_resp ESME_RINVCMDID.
			s.session.send(pdu.response({command_status: E.ESME_RINVCMDID}));
		}
	}
}

// ---------------------------------------------------------------- TLS
// node-smpp 0.5.1: createServer(options) returns a SecureServer (a tls.Server) when
// options.key and options.cert are set; the options go to tls.Server unchanged. Its
// session listener runs on 'secureConnection', i.e. after the handshake.
function tlsServerOptions() {
	if (!opts.tlsCert) return {};
	var read = function(f) {
		try {
			return fs.readFileSync(f);
		} catch (e) {
			process.stderr.write('smsc.js: cannot read ' + f + ': ' + e.message + '\n');
			process.exit(2);
		}
	};
	var o = {cert: read(opts.tlsCert), key: read(opts.tlsKey)};
	if (opts.tlsCa) o.ca = read(opts.tlsCa);
	if (opts.tlsRequestCert) {
		o.requestCert = true;
		o.rejectUnauthorized = true;
	} else {
		o.requestCert = false;
		o.rejectUnauthorized = false;
	}
	if (opts.tlsMin) o.minVersion = TLS_VERSIONS[opts.tlsMin];
	if (opts.tlsMax) o.maxVersion = TLS_VERSIONS[opts.tlsMax];
	// OpenSSL 3 refuses TLS 1.0/1.1 at its default security level 1.
	if ((opts.tlsMin || opts.tlsMax) && ['1.0', '1.1'].indexOf(opts.tlsMin || opts.tlsMax) >= 0) {
		o.ciphers = 'DEFAULT@SECLEVEL=0';
	}
	return o;
}

// "CN=esme-client, O=esme tests" from node's certificate subject object.
function dn(subject) {
	if (!subject) return null;
	return Object.keys(subject).map(function(k) {
		var v = subject[k];
		return k + '=' + (Array.isArray(v) ? v.join('+' + k + '=') : v);
	}).join(', ');
}

function tlsInfo(s, sock) {
	var cipher = sock.getCipher() || {};
	var peer = sock.getPeerCertificate();
	var hasPeer = peer && Object.keys(peer).length > 0;
	emit({event: 'tls', session: s.id, protocol: sock.getProtocol(), cipher: cipher.name || null,
		authorized: sock.authorized === true,
		authorization_error: sock.authorizationError ? String(sock.authorizationError) : null,
		peer_subject: hasPeer ? dn(peer.subject) : null,
		peer_issuer: hasPeer ? dn(peer.issuer) : null,
		servername: sock.servername || null});
}

var server = smpp.createServer(tlsServerOptions(), function(session) {
	var s = {id: nextSessionId++, session: session, bound: null, systemId: null,
		held: [], closed: false, closedBy: null};
	sessions.push(s);
	var sock = session.socket;
	// No Nagle: every response goes on the wire when written. Otherwise a small response
	// written while an earlier one is unacknowledged waits in the kernel, and the abrupt
	// close of `close`/`close_after_submits` (unread input => RST) discards it: the
	// "answered" submits before the close would never be answered.
	sock.setNoDelay(true);
	emit({event: 'connect', session: s.id, remote_address: sock.remoteAddress, remote_port: sock.remotePort});
	if (opts.tlsCert) tlsInfo(s, sock);
	session.on('pdu', function(pdu) { onPdu(s, pdu); });
	session.on('error', function(e) {
		emit({event: 'error', session: s.id, message: String(e && e.message || e)});
		// node-smpp stops reading a session after a decode error (e.g. the "PDU length was
		// too large" of a TLS hello sent to this plain port) and leaves it open: what a
		// node-smpp SMSC does (--on-decode-error keep). By default, drop it.
		if (opts.onDecodeError === 'close') destroy(s, 'smsc');
	});
	session.on('close', function() {
		s.closed = true;
		sessions.splice(sessions.indexOf(s), 1);
		emit({event: 'close', session: s.id, by: s.closedBy || 'peer', held: s.held.length});
	});
});

// A TLS handshake that failed (client certificate refused or missing, no common
// protocol version/cipher, plain SMPP sent to this TLS port, client gave up on our
// certificate...): no session is created for it.
// Node quirk: a client certificate that fails verification is not refused by OpenSSL
// but by node after the handshake (authorizationError set, socket destroyed without an
// alert); the error then only says "socket hang up" - authorization_error says why.
server.on('tlsClientError', function(e, sock) {
	emit({event: 'tls_error', message: String(e && e.message || e).trim(),
		code: (e && e.code) || null,
		authorization_error: sock && sock.authorizationError ? String(sock.authorizationError) : null,
		remote_port: sock && sock.remotePort !== undefined ? sock.remotePort : null});
});

server.on('error', function(e) {
	emit({event: 'error', message: 'server: ' + e.message});
	process.exit(1);
});

// ---------------------------------------------------------------- commands
function splitText(text, parts) {
	var cps = Array.from(text); // never split a surrogate pair
	if (parts < 1 || parts > 255) throw new Error('parts must be 1..255');
	if (cps.length < parts) throw new Error('text has fewer characters than parts');
	var out = [], per = Math.ceil(cps.length / parts);
	for (var i = 0; i < parts; i++) out.push(cps.slice(i * per, (i + 1) * per).join(''));
	if (out[parts - 1] === '') throw new Error('cannot split text evenly into ' + parts + ' parts');
	return out;
}

function cmdMo(c, ack) {
	var s = currentRx();
	if (!s) throw new Error('no bound receiver/transceiver session');
	if (typeof c.from !== 'string' || typeof c.to !== 'string') throw new Error('mo needs from and to');
	var base = {
		source_addr_ton: c.source_addr_ton || 0, source_addr_npi: c.source_addr_npi || 0,
		source_addr: c.from,
		dest_addr_ton: c.dest_addr_ton || 0, dest_addr_npi: c.dest_addr_npi || 0,
		destination_addr: c.to,
		esm_class: c.esm_class || 0
	};
	var seqs = [];
	if (c.hex !== undefined) {
		// raw octets, no node-smpp text encoding
		var o = Object.assign({}, base, {data_coding: c.data_coding || 0,
			short_message: Buffer.from(c.hex, 'hex')});
		seqs.push(sendDeliver(s, o, 'mo', {}));
	} else if (typeof c.text !== 'string') {
		throw new Error('mo needs text (or hex)');
	} else if (c.parts && c.parts > 1) {
		var dc = c.data_coding === undefined ? 0x08 : c.data_coding;
		var ref = c.ref === undefined ? (nextRef++ & 0xff) : c.ref & 0xff;
		if (nextRef > 255) nextRef = 1;
		var chunks = splitText(c.text, c.parts);
		chunks.forEach(function(chunk, i) {
			var udh = Buffer.from([0x05, 0x00, 0x03, ref, chunks.length, i + 1]);
			var o = Object.assign({}, base, {data_coding: dc,
				short_message: {udh: udh, message: chunk}});
			// encode now so an oversize part fails before anything is sent
			var probe = new PDU('deliver_sm', Object.assign({}, o,
				{short_message: {udh: udh, message: chunk}}));
			var sm = probe.toBuffer() && probe.short_message;
			if (sm.length > 140) throw new Error('part ' + (i + 1) + ' is ' + sm.length + ' octets (> 140); use more parts');
		});
		chunks.forEach(function(chunk, i) {
			var udh = Buffer.from([0x05, 0x00, 0x03, ref, chunks.length, i + 1]);
			var o = Object.assign({}, base, {data_coding: dc,
				short_message: {udh: udh, message: chunk}});
			seqs.push(sendDeliver(s, o, 'mo', {part: i + 1, parts: chunks.length, ref: ref}));
		});
		ack.ref = ref;
	} else {
		// node-smpp encodes the text: data_coding null (default) = auto-detect
		var o2 = Object.assign({}, base, {
			data_coding: c.data_coding === undefined ? null : c.data_coding,
			short_message: c.text});
		var probe2 = new PDU('deliver_sm', Object.assign({}, o2));
		probe2.toBuffer();
		if (probe2.short_message.length > 254) throw new Error('text too long for short_message; use parts');
		seqs.push(sendDeliver(s, o2, 'mo', {}));
		ack.data_coding = probe2.data_coding;
		ack.short_message_hex = probe2.short_message.toString('hex');
	}
	ack.session = s.id;
	ack.seqs = seqs;
}

function needSession() {
	var s = currentAny();
	if (!s) throw new Error('no connected session');
	return s;
}

function onCommand(line) {
	if (!line.trim()) return;
	var c;
	try {
		c = JSON.parse(line);
	} catch (e) {
		emit({event: 'error', cmd: null, message: 'bad JSON command: ' + e.message});
		return;
	}
	var ack = {event: 'ack', cmd: c.cmd === undefined ? null : c.cmd};
	try {
		switch (c.cmd) {
		case 'mo':
			cmdMo(c, ack);
			break;
		case 'receipts':
			receiptsOn = !!c.on;
			ack.on = receiptsOn;
			if (c.text !== undefined) {
				if (!(c.text >= 0 && c.text <= 160)) throw new Error('text must be 0..160');
				receiptText = c.text | 0;
			}
			ack.text = receiptText;
			break;
		case 'enquire_link': {
			var s1 = needSession();
			s1.session.enquire_link();
			ack.session = s1.id;
			break;
		}
		case 'unbind': {
			var s2 = needSession();
			s2.session.unbind();
			ack.session = s2.id;
			break;
		}
		case 'close': {
			var s3 = needSession();
			destroy(s3, 'smsc');
			ack.session = s3.id;
			break;
		}
		case 'hold':
			holdOn = !!c.on;
			ack.on = holdOn;
			if (!holdOn && c.release) {
				var released = 0;
				sessions.forEach(function(s) {
					var held = s.held;
					s.held = [];
					held.forEach(function(h) {
						if (!alive(s)) return;
						// The answer given now, as its own event: the submit_sm event of a held
						// one said `unanswered: "hold"`.
						var ev = {event: 'released', session: s.id, seq: h.pdu.sequence_number,
							message_id: null};
						var before = throttleLeft;
						answerSubmit(s, h.pdu, h.raw, ev);
						ev.command_status = before > 0 ? E.ESME_RTHROTTLED : 0;
						emitTraffic(ev);
						released++;
					});
				});
				ack.released = released;
			}
			break;
		case 'close_after_submits':
			if (!(c.n >= 0)) throw new Error('n must be >= 0');
			closeAfter = c.n | 0; // 0 disarms
			ack.n = closeAfter;
			break;
		case 'throttle':
			if (!(c.n >= 0)) throw new Error('n must be >= 0');
			throttleLeft = c.n | 0;
			ack.n = throttleLeft;
			break;
		case 'stats':
			ack.stats = Object.assign({sessions: sessions.length}, stats);
			break;
		case 'quit':
			emit(ack);
			process.exit(0);
			return;
		default:
			throw new Error('unknown cmd ' + JSON.stringify(c.cmd));
		}
	} catch (e) {
		emit({event: 'error', cmd: c.cmd === undefined ? null : c.cmd, message: e.message});
		return;
	}
	emit(ack);
}

server.listen(opts.port, '127.0.0.1', function() {
	process.stdout.write('LISTENING ' + server.address().port + '\n');
	var rl = readline.createInterface({input: process.stdin, terminal: false});
	rl.on('line', onCommand);
	rl.on('close', function() { process.exit(0); });
});
