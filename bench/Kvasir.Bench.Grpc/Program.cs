// Unary and streaming round trips of the gRPC layer, and the same client against the real etcd.
Console.Error.WriteLine("not written yet");
return 2;
