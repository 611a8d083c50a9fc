namespace Kvasir.Server.Config;

/// <summary>
/// A configuration the member refuses: an unknown flag, a value that does not parse, flags that
/// contradict each other. The message is printed as it is and the process exits with code 2.
/// </summary>
public sealed class ConfigException(string message) : Exception(message)
{
    public const int ExitCode = 2;
}
