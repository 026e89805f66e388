//! Many request-reply cycles, one-frame and multipart, frame by frame and all at once.
use zmq_typed::{Context, Rep, Req};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let mut rep = Rep::new(&ctx)?;
    let endpoint = rep.bind("inproc://pass-req-rep")?;
    let mut req = Req::new(&ctx)?;
    req.connect(&endpoint)?;

    for i in 0..3 {
        let waiting = req.send(format!("request {i}"))?;
        let (request, replying) = rep.recv()?;
        assert_eq!(request, format!("request {i}").as_str());
        rep = replying.send_more("reply")?.send(format!("{i}"))?;
        let (reply, ready) = waiting.recv()?;
        assert_eq!(reply.to_vecs(), [b"reply".to_vec(), format!("{i}").into_bytes()]);
        req = ready;
    }

    let waiting = req.send_multipart(["a", "b", "c"])?;
    let (request, replying) = rep.recv()?;
    assert_eq!(request.len(), 3);
    let _rep = replying.send_multipart(request)?;
    let (echo, _req) = waiting.recv()?;
    assert_eq!(echo.to_vecs(), [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    Ok(())
}
