//! The smpp34 crate's `SmppServer` as the one SMSC of benches/peers.sh.
//!
//!   smpp34-smsc [--port P]      (default 0 = any free port; always 127.0.0.1)
//!
//! Accepts bind_transmitter and bind_transceiver with any system_id / password and answers
//! every submit_sm with command_status 0 and a message id. Prints
//! `smpp34 smsc listening on 127.0.0.1:PORT` on stdout once it accepts connections, then
//! runs until killed.
//!
//! `SmppServer` takes a port and does not report the one it bound, so for port 0 a free port
//! is found with a throw-away listener first; if another process takes it in between,
//! `start()` fails (`is_alive()` stays false) and another port is tried.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::Arc;

use async_trait::async_trait;
use smpp34::{
    bind_transceiver, bind_transceiver_resp, bind_transmitter, bind_transmitter_resp, submit_sm,
    submit_sm_resp, SmppConnectionInformation, SmppServer, SmppServerListener,
};

struct AcceptAll;

#[async_trait]
impl SmppServerListener for AcceptAll {
    async fn on_bind_transmitter(
        &self,
        req: bind_transmitter,
        _c: &SmppConnectionInformation,
        _s: &String,
    ) -> bind_transmitter_resp {
        req.accept("SMPP34".to_string(), Some(0x34))
    }

    async fn on_bind_transceiver(
        &self,
        req: bind_transceiver,
        _c: &SmppConnectionInformation,
        _s: &String,
    ) -> bind_transceiver_resp {
        req.accept("SMPP34".to_string(), Some(0x34))
    }

    async fn on_submit_sm(
        &self,
        req: submit_sm,
        _c: &SmppConnectionInformation,
        _s: &String,
    ) -> submit_sm_resp {
        req.accept("1".to_string())
    }
}

fn usage() -> ! {
    eprintln!("usage: smpp34-smsc [--port P]   (0 = any free port; listens on 127.0.0.1)");
    std::process::exit(2);
}

fn free_port() -> u16 {
    match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()) {
        Ok(a) => a.port(),
        Err(e) => {
            eprintln!("smpp34-smsc: cannot find a free port on 127.0.0.1: {e}");
            std::process::exit(1);
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port: u16 = match args.as_slice() {
        [] => 0,
        [flag, p] if flag == "--port" => p.parse().unwrap_or_else(|_| usage()),
        _ => usage(),
    };
    let tries = if port == 0 { 20 } else { 1 };
    for _ in 0..tries {
        let p = if port == 0 { free_port() } else { port };
        let mut server = SmppServer::new(IpAddr::V4(Ipv4Addr::LOCALHOST), p, Arc::new(AcceptAll));
        server.start().await;
        if server.is_alive() {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "smpp34 smsc listening on 127.0.0.1:{p}");
            let _ = out.flush();
            drop(out);
            // Serve until killed; `server` stays alive (its Drop stops the accept loop).
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        }
    }
    eprintln!("smpp34-smsc: cannot listen on 127.0.0.1:{port}");
    std::process::exit(1);
}
