// WAL appends and fsyncs, MVCC puts and ranges, memory and open time with many keys.
Console.Error.WriteLine("not written yet");
return 2;
