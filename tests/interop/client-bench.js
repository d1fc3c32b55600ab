#!/usr/bin/env node
'use strict';
/*
 * node-smpp as an SMPP *client*, for benchmark comparison with esme.
 *
 *   node tests/interop/client-bench.js --host 127.0.0.1 --port P --count N --window W
 *        [--system-id X --password Y] [--ca CA.pem]
 *
 * --ca: SMPP over TLS (node-smpp's own `ssmpp://` support), the SMSC verified against CA.pem.
 * Binds transceiver (interface_version 0x34), submits N submit_sm ("hello",
 * data_coding 0, to 447700900123) keeping at most W unanswered (pipelined;
 * sequence numbers assigned by node-smpp), counts the responses, unbinds and
 * prints one JSON line on stdout:
 *   {"count":N,"window":W,"seconds":S,"msgs_per_sec":R,"ok":K,"errors":E}
 * seconds = first submit_sm written .. last response received (bind/unbind
 * excluded). errors = responses with command_status != 0 (incl. generic_nack).
 * Exit 0 when all N responses arrived. On failure (connect error, bind
 * refused, connection lost, no progress for 30 s) prints
 *   {"error":"...","count":N,"window":W,"ok":K,"errors":E}
 * on stdout and exits 1.
 */

var smpp = require('smpp');

var a = {host: '127.0.0.1', port: 2775, count: 1000, window: 1, 'system-id': 'bench', password: 'bench', ca: ''};
for (var i = 2; i < process.argv.length; i++) {
	var k = process.argv[i];
	if (!/^--/.test(k) || !(k.slice(2) in a) || i + 1 >= process.argv.length) {
		process.stderr.write('usage: node client-bench.js --host H --port P --count N --window W ' +
			'[--system-id X --password Y] [--ca CA.pem]\n');
		process.exit(2);
	}
	a[k.slice(2)] = process.argv[++i];
}
var COUNT = parseInt(a.count, 10), WINDOW = parseInt(a.window, 10), PORT = parseInt(a.port, 10);
if (!(COUNT >= 1) || !(WINDOW >= 1) || !(PORT > 0)) {
	process.stderr.write('client-bench.js: --count, --window and --port must be positive integers\n');
	process.exit(2);
}
var STALL_MS = 30000;

var sent = 0, okN = 0, errN = 0, inFlight = 0, t0 = null, t1 = null, finished = false;

function out(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }
function die(msg) {
	if (finished) return;
	finished = true;
	out({error: msg, count: COUNT, window: WINDOW, ok: okN, errors: errN});
	process.exit(1);
}

var stallTimer = null;
function progress() {
	clearTimeout(stallTimer);
	stallTimer = setTimeout(function() {
		die('stalled: no progress for ' + STALL_MS / 1000 + ' s (sent ' + sent + ', in flight ' + inFlight + ')');
	}, STALL_MS);
}
progress();

var session = a.ca
	? smpp.connect({url: 'ssmpp://' + a.host + ':' + PORT, ca: require('fs').readFileSync(a.ca),
		rejectUnauthorized: true}, onConnect)
	: smpp.connect({host: a.host, port: PORT});
session.on('error', function(e) { die('socket error: ' + e.message); });
session.on('close', function() { die('connection closed by peer'); });
// Be a well-behaved ESME if the server talks to us.
session.on('deliver_sm', function(pdu) { session.send(pdu.response()); });
session.on('enquire_link', function(pdu) { session.send(pdu.response()); });
session.on('unbind', function(pdu) { session.send(pdu.response()); });

if (!a.ca) session.on('connect', onConnect);
function onConnect() {
	progress();
	session.bind_transceiver({system_id: a['system-id'], password: a.password, interface_version: 0x34},
		function(resp) {
			if (resp.command_status) die('bind refused: command_status 0x' + resp.command_status.toString(16));
			progress();
			t0 = process.hrtime.bigint();
			fill();
		});
}

function onResp(resp) {
	inFlight--;
	if (resp.command === 'submit_sm_resp' && resp.command_status === 0) okN++;
	else errN++;
	progress();
	if (okN + errN === COUNT) done();
	else fill();
}

function fill() {
	while (inFlight < WINDOW && sent < COUNT) {
		sent++;
		inFlight++;
		var written = session.submit_sm({
			destination_addr: '447700900123',
			data_coding: 0,
			short_message: 'hello'
		}, onResp);
		if (!written) die('socket not writable');
	}
}

function done() {
	t1 = process.hrtime.bigint();
	var seconds = Number(t1 - t0) / 1e9;
	var result = {count: COUNT, window: WINDOW, seconds: +seconds.toFixed(6),
		msgs_per_sec: +(COUNT / seconds).toFixed(1), ok: okN, errors: errN};
	var printed = false;
	var finish = function() {
		if (printed) return;
		printed = true;
		finished = true;
		out(result);
		process.exit(0);
	};
	clearTimeout(stallTimer);
	session.removeAllListeners('close');
	session.removeAllListeners('error');
	session.on('close', finish);
	session.on('error', finish);
	session.unbind(function() { session.close(); });
	setTimeout(function() { session.destroy(); finish(); }, 5000).unref();
}
