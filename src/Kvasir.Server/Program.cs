// kvasir: one member. The member arrives with its issue.
Console.Error.WriteLine("kvasir: not built yet");
return 2;
