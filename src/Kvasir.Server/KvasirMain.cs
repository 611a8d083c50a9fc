using Kvasir.Server.Config;
using Kvasir.Server.Hosting;

namespace Kvasir.Server;

/// <summary>
/// The <c>kvasir</c> executable: reads the configuration (exit code 2 when it is refused), prints
/// help or the version, or runs a member until SIGTERM or SIGINT.
/// </summary>
public static class KvasirMain
{
    public static async Task<int> RunAsync(string[] args)
    {
        LoadedConfig loaded;
        try
        {
            var environment = Environment.GetEnvironmentVariables()
                .Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
            loaded = ConfigLoader.Load(args, environment);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"kvasir: {e.Message}").ConfigureAwait(false);
            await Console.Error.WriteLineAsync("Run 'kvasir --help' for the flags.").ConfigureAwait(false);
            return ConfigException.ExitCode;
        }

        switch (loaded.Kind)
        {
            case LaunchKind.Help:
                await Console.Out.WriteAsync(ConfigLoader.Usage()).ConfigureAwait(false);
                return 0;
            case LaunchKind.Version:
                await Console.Out.WriteLineAsync($"kvasir Version: {VersionInfo.Kvasir}\netcd API Version: {VersionInfo.EtcdServer}\n.NET Version: {Environment.Version}\nOS/Arch: {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}").ConfigureAwait(false);
                return 0;
            default:
                try
                {
                    return await MemberHost.RunAsync(loaded).ConfigureAwait(false);
                }
                catch (ConfigException e)
                {
                    await Console.Error.WriteLineAsync($"kvasir: {e.Message}").ConfigureAwait(false);
                    return ConfigException.ExitCode;
                }
        }
    }
}
