// Committed proposals per second and allocations per proposal of an in-memory Raft cluster.
Console.Error.WriteLine("not written yet");
return 2;
