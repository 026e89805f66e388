use zmq_typed::SendSocket;

struct Fake;

impl SendSocket for Fake {}

fn main() {}
