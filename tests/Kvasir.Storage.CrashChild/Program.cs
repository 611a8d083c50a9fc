using Kvasir.Storage.CrashChild;

if (args.Length > 0 && Modes.TryGet(args[0], out var run))
{
    return run(args[1..]);
}

Console.Error.WriteLine($"usage: Kvasir.Storage.CrashChild <mode> [args]; modes: {string.Join(", ", Modes.Names)}");
return 2;
