using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kvasir.Server.Hosting;

/// <summary>
/// /health, /livez and /readyz as etcd serves them. /health answers
/// <c>{"health":"true","reason":""}</c> with 200, or <c>"false"</c> and the reason with 503, and
/// takes <c>?exclude=NOSPACE</c> and <c>?serializable=true</c>. /livez (serializable_read) and
/// /readyz (data_corruption, serializable_read, linearizable_read, non_learner) answer <c>ok</c> or
/// 503 with each check's line, take <c>?exclude=check</c> and <c>?verbose</c>, and serve each
/// check at its own sub-path. Anything but GET gets 405.
/// </summary>
public static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app, HealthChecks checks, Meter meter, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(checks);
        var success = meter.CreateCounter<long>("etcd_server_health_success", description: "The total number of successful health checks");
        var failures = meter.CreateCounter<long>("etcd_server_health_failures", description: "The total number of failed health checks");

        app.Map("/health", async context =>
        {
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                await MethodNotAllowedAsync(context).ConfigureAwait(false);
                return;
            }

            var query = context.Request.Query;
            var excluded = query["exclude"].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToHashSet(StringComparer.Ordinal);
            var serializable = query["serializable"] == "true";
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            cts.CancelAfter(timeout);
            var (healthy, reason) = await checks.HealthAsync(excluded, serializable, cts.Token).ConfigureAwait(false);
            (healthy ? success : failures).Add(1);
            var json = $$"""{"health":"{{(healthy ? "true" : "false")}}","reason":"{{JsonEscape(reason)}}"}""";
            await WriteAsync(context, healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, healthy ? json : json + "\n").ConfigureAwait(false);
        });

        var livez = new (string Name, Func<CancellationToken, Task<string?>> Check)[]
        {
            ("serializable_read", ct => checks.ReadAsync(serializable: true, ct)),
        };
        var readyz = new (string Name, Func<CancellationToken, Task<string?>> Check)[]
        {
            ("data_corruption", _ => Task.FromResult(checks.DataCorruption())),
            ("serializable_read", ct => checks.ReadAsync(serializable: true, ct)),
            ("linearizable_read", ct => checks.ReadAsync(serializable: false, ct)),
            ("non_learner", _ => Task.FromResult(HealthChecks.NonLearner())),
        };
        MapRegistry(app, "/livez", livez, timeout);
        MapRegistry(app, "/readyz", readyz, timeout);
    }

    private static void MapRegistry(IEndpointRouteBuilder app, string root, (string Name, Func<CancellationToken, Task<string?>> Check)[] checks, TimeSpan timeout)
    {
        app.Map(root, context => RunAsync(context, checks.Where(c => !context.Request.Query["exclude"].Contains(c.Name)).ToArray(), timeout));
        foreach (var check in checks)
        {
            app.Map(root + "/" + check.Name, context => RunAsync(context, [check], timeout));
        }
    }

    private static async Task RunAsync(HttpContext context, (string Name, Func<CancellationToken, Task<string?>> Check)[] checks, TimeSpan timeout)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await MethodNotAllowedAsync(context).ConfigureAwait(false);
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        cts.CancelAfter(timeout);
        var report = new StringBuilder();
        var ok = true;
        foreach (var (name, check) in checks)
        {
            if (await check(cts.Token).ConfigureAwait(false) is { } failure)
            {
                ok = false;
                report.Append("[-]").Append(name).Append(" failed: ").Append(failure).Append('\n');
            }
            else
            {
                report.Append("[+]").Append(name).Append(" ok\n");
            }
        }

        if (!ok)
        {
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, report.Append('\n').ToString()).ConfigureAwait(false);
            return;
        }

        var body = context.Request.Query.ContainsKey("verbose") ? report.Append("ok\n").ToString() : "ok\n";
        await WriteAsync(context, StatusCodes.Status200OK, body).ConfigureAwait(false);
    }

    private static Task MethodNotAllowedAsync(HttpContext context)
    {
        context.Response.Headers.Allow = "GET";
        return WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed\n");
    }

    // Go's net/http answers these with text/plain (its content sniffing of the JSON body, or http.Error).
    private static Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static string JsonEscape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
