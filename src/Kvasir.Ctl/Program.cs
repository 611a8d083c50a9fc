// kvasirctl: command- and output-compatible with etcdctl v3. The commands arrive with their issue.
Console.Error.WriteLine("kvasirctl: no commands yet");
return 2;
