using Kvasir.Server.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Kvasir.Server.Logging;

/// <summary>How a member logs: JSON lines (or readable lines with <c>--log-format console</c>) to stderr, at <c>--log-level</c>.</summary>
public static class KvasirLogging
{
    public static void Configure(ILoggingBuilder logging, MemberConfig config)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(ToLogLevel(config.LogLevel));

        // ASP.NET Core's own chatter stays at warnings unless the operator asks for debug.
        if (config.LogLevel != "debug")
        {
            logging.AddFilter("Microsoft", LogLevel.Warning);

            // With this category enabled at any level, ASP.NET Core starts an Activity and a log
            // scope for every request: a cost on each gRPC call for log lines nobody asked for.
            logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        }

        var toStdout = config.LogOutputs.Contains("stdout");
        if (config.LogFormat == "console")
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.ffffff ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddConsole(o => o.FormatterName = JsonLineFormatter.FormatterName);
            logging.AddConsoleFormatter<JsonLineFormatter, ConsoleFormatterOptions>();
        }

        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = toStdout ? LogLevel.None : LogLevel.Trace);
    }

    public static LogLevel ToLogLevel(string level) => level switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Critical,
    };
}
