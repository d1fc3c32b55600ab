#!/usr/bin/env node
'use strict';
/*
 * Self-test of smsc.js, driven exactly like a Rust test would drive it:
 * reads smsc.js's JSON events from fd 3, writes JSON commands to fd 4, and
 * talks SMPP to it with node-smpp's *client* (smpp.connect).
 *
 *   node selftest-client.js --port P --system-id X --password Y 3<events 4>commands
 *
 * Run by selftest.sh (which starts smsc.js as a bash coproc). Exits 0 when
 * every scenario passed, 1 on the first failure.
 */

var net = require('net');
var readline = require('readline');
var smpp = require('smpp');

var args = {};
for (var i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
var PORT = +args.port, SYSID = args['system-id'], PASSWD = args.password;

function fail(msg) {
	process.stderr.write('selftest-client: FAIL: ' + msg + '\n');
	process.exit(1);
}
function ok(msg) { process.stderr.write('selftest-client: ok: ' + msg + '\n'); }
function assert(c, msg) { if (!c) fail(msg); }
setTimeout(function() { fail('overall timeout (60 s)'); }, 60000).unref();

// ------------------------------------------------------------ smsc.js events
var events = [], eventWaiters = [];
// net.Socket, not fs streams: a libuv threadpool read() blocked on a pipe
// would make process.exit() hang at shutdown.
readline.createInterface({input: new net.Socket({fd: 3, readable: true, writable: false}), terminal: false})
	.on('line', function(line) {
		var ev;
		try { ev = JSON.parse(line); } catch (e) { fail('non-JSON line from smsc.js: ' + line); }
		if (process.env.SELFTEST_VERBOSE) process.stderr.write('  smsc> ' + line + '\n');
		events.push(ev);
		pump(events, eventWaiters);
	})
	.on('close', function() { fail('smsc.js stdout closed'); });
var cmdOut = new net.Socket({fd: 4, readable: false, writable: true});

// Generic "wait for the first queued item matching pred" machinery.
function pump(queue, waiters) {
	for (var w = 0; w < waiters.length; w++) {
		for (var q = 0; q < queue.length; q++) {
			if (waiters[w].pred(queue[q])) {
				var item = queue.splice(q, 1)[0], waiter = waiters.splice(w, 1)[0];
				clearTimeout(waiter.timer);
				waiter.resolve(item);
				w--;
				break;
			}
		}
	}
}
function waitIn(queue, waiters, what, pred, ms) {
	return new Promise(function(resolve) {
		var waiter = {pred: pred, resolve: resolve};
		waiter.timer = setTimeout(function() { fail('timed out waiting for ' + what); }, ms || 5000);
		waiters.push(waiter);
		pump(queue, waiters);
	});
}
function ev(name, extra) {
	return waitIn(events, eventWaiters, 'event ' + name, function(e) {
		if (e.event !== name) return false;
		for (var k in extra) if (e[k] !== extra[k]) return false;
		return true;
	});
}
function cmd(obj) {
	cmdOut.write(JSON.stringify(obj) + '\n');
	return waitIn(events, eventWaiters, 'ack/error for ' + obj.cmd, function(e) {
		return (e.event === 'ack' || e.event === 'error') && e.cmd === obj.cmd;
	}).then(function(e) {
		assert(e.event === 'ack', 'command ' + JSON.stringify(obj) + ' failed: ' + JSON.stringify(e));
		return e;
	});
}
function noEvent(name, ms) {
	return new Promise(function(resolve) {
		setTimeout(function() {
			assert(!events.some(function(e) { return e.event === name; }), 'unexpected event ' + name);
			resolve();
		}, ms);
	});
}

// ------------------------------------------------------------ SMPP client
function Client() {
	var self = this;
	this.pdus = [];
	this.waiters = [];
	this.closed = false;
	this.session = smpp.connect({host: '127.0.0.1', port: PORT});
	this.session.on('pdu', function(pdu) {
		if (pdu.command === 'deliver_sm' && self.autoAck !== false) self.session.send(pdu.response());
		if (pdu.command === 'enquire_link') self.session.send(pdu.response());
		if (pdu.command === 'unbind') self.session.send(pdu.response());
		self.pdus.push(pdu);
		pump(self.pdus, self.waiters);
	});
	this.session.on('error', function(e) {
		// A server that destroys the socket mid-window (close_after_submits) can make our
		// pending writes fail: expected there, a failure anywhere else.
		if (self.expectAbruptClose && /EPIPE|ECONNRESET/.test(e.code || e.message)) return;
		fail('client socket error: ' + e.message);
	});
	this.session.on('close', function() {
		self.closed = true;
		self.pdus.push({command: '<close>'});
		pump(self.pdus, self.waiters);
	});
}
Client.prototype.wait = function(command, pred, ms) {
	return waitIn(this.pdus, this.waiters, 'client PDU ' + command, function(p) {
		return p.command === command && (!pred || pred(p));
	}, ms);
};
Client.prototype.call = function(command, options) {
	var self = this;
	return new Promise(function(resolve) {
		self.session[command](options || {}, resolve);
	});
};
Client.prototype.bind = function(password) {
	return this.call('bind_transceiver', {system_id: SYSID, password: password === undefined ? PASSWD : password,
		interface_version: 0x34});
};
function submit(c, extra) {
	var o = {source_addr: '447700900001', destination_addr: '447700900123', short_message: 'hello',
		data_coding: 0};
	for (var k in extra) o[k] = extra[k];
	return c.call('submit_sm', o);
}
function delay(ms) { return new Promise(function(r) { setTimeout(r, ms); }); }

// ------------------------------------------------------------ scenarios
async function main() {
	// 1. wrong password -> ESME_RINVPASWD, header-only response
	var c = new Client();
	var r = await c.bind('wrong');
	assert(r.command_status === 0x0E, 'wrong password: expected 0x0E, got ' + r.command_status);
	var e = await ev('bind');
	assert(e.command_status === 0x0E && e.password === 'wrong', 'bind event ' + JSON.stringify(e));
	c.session.destroy();
	await c.wait('<close>');
	await ev('close');
	ok('wrong password refused with 0x0E');

	// 2. bind, submit with registered_delivery, receipt
	c = new Client();
	r = await c.bind();
	assert(r.command_status === 0 && r.system_id === 'NODESMSC', 'bind_resp ' + JSON.stringify(r));
	e = await ev('bind');
	assert(e.mode === 'transceiver' && e.system_id === SYSID && e.interface_version === 0x34, 'bind ' + JSON.stringify(e));
	r = await submit(c, {registered_delivery: 1, user_message_reference: 42});
	assert(r.command_status === 0 && /^\d+-1$/.test(r.message_id), 'submit_sm_resp ' + JSON.stringify(r));
	var id = r.message_id;
	e = await ev('submit_sm');
	assert(e.message_id === id && e.short_message_hex === '68656c6c6f' && e.registered_delivery === 1 &&
		e.destination_addr === '447700900123' && e.tlvs.user_message_reference === '002a' &&
		e.data_coding === 0, 'submit_sm event ' + JSON.stringify(e));
	var d = await c.wait('deliver_sm');
	assert(d.esm_class === 4 && d.receipted_message_id === id && d.message_state === 2,
		'receipt ' + JSON.stringify(d));
	var rtext = d.short_message.message;
	assert(new RegExp('^id:' + id + ' sub:001 dlvr:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:$')
		.test(rtext), 'receipt text ' + rtext);
	e = await ev('deliver_sm_resp', {kind: 'receipt'});
	assert(e.receipted_message_id === id && e.command_status === 0, 'receipt resp ' + JSON.stringify(e));
	ok('submit_sm ' + id + ' + delivery receipt');

	// receipts off
	await cmd({cmd: 'receipts', on: false});
	r = await submit(c, {registered_delivery: 1});
	assert(r.command_status === 0, 'submit (receipts off)');
	await ev('submit_sm');
	await delay(200);
	assert(!c.pdus.some(function(p) { return p.command === 'deliver_sm'; }), 'receipt sent while receipts off');
	await cmd({cmd: 'receipts', on: true});
	ok('receipts off/on');

	// receipts with the start of the text, as real SMSCs send them
	var ack = await cmd({cmd: 'receipts', on: true, text: 20});
	assert(ack.text === 20, 'receipts text ack ' + JSON.stringify(ack));
	r = await submit(c, {registered_delivery: 1, short_message: 'Card 4111 1111 1111 1111 for Zoë'});
	assert(r.command_status === 0, 'submit (receipt text)');
	await ev('submit_sm');
	d = await c.wait('deliver_sm');
	rtext = d.short_message.message;
	assert(/ text:Card 4111 1111 1111 $/.test(rtext), 'receipt text fragment ' + rtext);
	await cmd({cmd: 'receipts', on: true, text: 0});
	ok('receipt text: the first 20 characters');

	// 3. MO, single part (node-smpp encodes: auto-detect -> data_coding 1)
	var a = await cmd({cmd: 'mo', from: '447700900555', to: '12345', text: 'Hi there'});
	d = await c.wait('deliver_sm');
	assert(d.short_message.message === 'Hi there' && d.source_addr === '447700900555' &&
		d.destination_addr === '12345' && d.esm_class === 0, 'mo ' + JSON.stringify(d));
	assert(a.data_coding === d.data_coding && a.short_message_hex === '4869207468657265', 'mo ack ' + JSON.stringify(a));
	e = await ev('deliver_sm_resp', {kind: 'mo'});
	assert(e.command_status === 0 && e.seq === a.seqs[0], 'mo resp ' + JSON.stringify(e));
	ok('MO single part (data_coding ' + d.data_coding + ')');

	// 4. MO in 3 UDH-concatenated UCS-2 parts
	var long = '';
	while (long.length < 150) long += 'Привет, мир! ';
	a = await cmd({cmd: 'mo', from: '447700900555', to: '12345', text: long, parts: 3});
	var parts = [];
	for (var p = 0; p < 3; p++) parts.push(await c.wait('deliver_sm'));
	var joined = '';
	parts.forEach(function(pd, i) {
		assert(pd.data_coding === 8 && (pd.esm_class & 0x40), 'part ' + i + ' dc/esm ' + JSON.stringify(pd));
		var udh = Buffer.concat(pd.short_message.udh).toString('hex');
		assert(udh === '0003' + ('0' + a.ref.toString(16)).slice(-2) + '03' + '0' + (i + 1),
			'part ' + i + ' udh ' + udh);
		joined += pd.short_message.message;
	});
	assert(joined === long, 'reassembled text differs');
	for (p = 0; p < 3; p++) await ev('deliver_sm_resp', {kind: 'mo'});
	ok('MO 3 concatenated UCS-2 parts, ref ' + a.ref);

	// 5. throttle
	await cmd({cmd: 'throttle', n: 1});
	r = await submit(c);
	assert(r.command_status === 0x58, 'throttled status ' + r.command_status);
	r = await submit(c);
	assert(r.command_status === 0, 'after throttle status ' + r.command_status);
	ok('throttle -> 0x58 once');

	// 6. enquire_link both ways
	await cmd({cmd: 'enquire_link'});
	await c.wait('enquire_link');
	await ev('enquire_link_resp');
	r = await c.call('enquire_link');
	assert(r.command === 'enquire_link_resp' && r.command_status === 0, 'enquire_link_resp');
	await ev('enquire_link');
	ok('enquire_link server->client and client->server');

	// 7. hold and release
	await cmd({cmd: 'hold', on: true});
	var held = submit(c), got = false;
	held.then(function() { got = true; });
	await ev('submit_sm', {unanswered: 'hold'});
	await delay(300);
	assert(!got, 'held submit_sm was answered');
	a = await cmd({cmd: 'hold', on: false, release: true});
	assert(a.released === 1, 'released ' + a.released);
	r = await held;
	assert(r.command_status === 0, 'released submit status');
	ok('hold / release');

	// 8. close_after_submits mid-window
	await cmd({cmd: 'close_after_submits', n: 2});
	c.expectAbruptClose = true;
	var answered = 0;
	for (var k = 0; k < 4; k++) submit(c).then(function() { answered++; });
	await c.wait('<close>');
	await ev('close', {by: 'smsc'});
	assert(answered === 1, 'expected exactly 1 answered before close, got ' + answered);
	ok('close_after_submits 2: 1 answered, then closed mid-window');

	// 9. server unbind
	c = new Client();
	await c.bind();
	await ev('bind');
	await cmd({cmd: 'unbind'});
	await c.wait('unbind');
	await ev('unbind_resp');
	await c.wait('<close>');
	await ev('close');
	ok('server-initiated unbind');

	// 10. client unbind
	c = new Client();
	await c.bind();
	await ev('bind');
	r = await c.call('unbind');
	assert(r.command === 'unbind_resp' && r.command_status === 0, 'unbind_resp');
	await ev('unbind');
	await c.wait('<close>');
	await ev('close');
	ok('client-initiated unbind');

	// 11. abrupt close
	c = new Client();
	await c.bind();
	await ev('bind');
	await cmd({cmd: 'close'});
	await c.wait('<close>');
	await ev('close', {by: 'smsc'});
	ok('abrupt close');

	// 12. errors and stats
	cmdOut.write('{"cmd":"mo","from":"1","to":"2","text":"x"}\n');
	e = await waitIn(events, eventWaiters, 'mo error', function(x) { return x.cmd === 'mo'; });
	assert(e.event === 'error', 'mo with no session should fail');
	a = await cmd({cmd: 'stats'});
	assert(a.stats.submit_sm === 8, 'stats ' + JSON.stringify(a.stats));
	ok('error reporting and stats');
	process.exit(0);
}

main().catch(function(e) { fail(e && e.stack || e); });
