// kvasirutl: offline tools over a data directory. The commands arrive with their issue.
Console.Error.WriteLine("kvasirutl: no commands yet");
return 2;
