// Kvasir load generator: the same matrix against any endpoints.
Console.Error.WriteLine("not written yet");
return 2;
