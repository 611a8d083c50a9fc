using System.Globalization;
using Kvasir.Api.Errors;
using Kvasir.Grpc;
using Microsoft.AspNetCore.Http;

namespace Kvasir.Server.Gateway;

/// <summary>
/// One gateway request as grpc-gateway turns it into a gRPC call: its metadata (the
/// <c>Authorization</c> header as <c>authorization</c>, every <c>Grpc-Metadata-Key</c> header as
/// <c>key</c>), its deadline (<c>Grpc-Timeout</c>), and one token that fires when the client goes
/// away, the deadline passes or (for streams) the server stops. Owned by the request; disposed
/// when it ends.
/// </summary>
internal sealed class GatewayCall : IDisposable
{
    private const string MetadataPrefix = "Grpc-Metadata-";

    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _stopping;
    private readonly Dictionary<string, string> _metadata;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset? _deadline;

    private GatewayCall(HttpContext http, Dictionary<string, string> metadata, TimeSpan? timeout, CancellationToken stopping, TimeProvider time)
    {
        Http = http;
        _metadata = metadata;
        _stopping = stopping;
        _time = time;
        _source = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        if (timeout is { } t)
        {
            _deadline = time.GetUtcNow() + t;
            if (t <= TimeSpan.Zero)
            {
                _source.Cancel();
            }
            else if (t < TimeSpan.FromDays(49))
            {
                _source.CancelAfter(t);
            }
        }
    }

    public HttpContext Http { get; }

    /// <summary>Fires when the client goes away, the deadline passes, or the server stops.</summary>
    public CancellationToken CancellationToken => _source.Token;

    /// <summary>The auth token, as etcd reads it: metadata <c>token</c>, else <c>authorization</c>. Null without one.</summary>
    public string? AuthToken => Metadata("token") ?? Metadata("authorization");

    /// <summary>True when the client sent <c>Grpc-Metadata-Hasleader: true</c> (etcd's <c>hasleader</c> metadata).</summary>
    public bool RequireLeader => string.Equals(Metadata("hasleader"), "true", StringComparison.Ordinal);

    /// <summary>The client's API version (metadata <c>client-api-version</c>) as etcd's metrics label it; "unknown" without one.</summary>
    public string ClientApiVersion => Metadata("client-api-version") ?? "unknown";

    public bool IsDeadlineExceeded => _deadline is { } d && _time.GetUtcNow() >= d && !Http.RequestAborted.IsCancellationRequested && !_stopping.IsCancellationRequested;

    /// <summary>
    /// The call for <paramref name="http"/>, or the error etcd's gateway answers before any call is made
    /// (an unreadable <c>Grpc-Timeout</c>: InvalidArgument <c>invalid grpc-timeout: ...</c>).
    /// </summary>
    public static GatewayCall Open(HttpContext http, CancellationToken stopping, TimeProvider time)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in http.Request.Headers)
        {
            string? key = null;
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                key = "authorization";
            }
            else if (name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > MetadataPrefix.Length)
            {
                key = name[MetadataPrefix.Length..].ToLowerInvariant();
            }

            if (key is not null && values.Count > 0 && !metadata.ContainsKey(key))
            {
                metadata[key] = values[0] ?? "";
            }
        }

        TimeSpan? timeout = null;
        var header = http.Request.Headers["Grpc-Timeout"];
        if (header.Count > 0 && !string.IsNullOrEmpty(header[0]))
        {
            timeout = ParseTimeout(header[0]!) ?? throw new RpcException(StatusCode.InvalidArgument, $"invalid grpc-timeout: {header[0]}");
        }

        return new GatewayCall(http, metadata, timeout, stopping, time);
    }

    /// <summary>etcd's interceptor: <c>hasleader</c> with no leader is <c>etcdserver: no leader</c>.</summary>
    public void CheckLeader(ulong leaderId)
    {
        if (leaderId == 0 && RequireLeader)
        {
            throw new RpcException((StatusCode)EtcdErrors.NoLeader.Code, EtcdErrors.NoLeader.Message);
        }
    }

    /// <summary>
    /// The status a failed call answers with; null when nobody is left to hear it (the client went away).
    /// </summary>
    public Status? StatusOf(Exception error)
    {
        if (error is RpcException rpc)
        {
            return rpc.Status;
        }

        if (IsDeadlineExceeded)
        {
            return new Status(StatusCode.DeadlineExceeded, "context deadline exceeded");
        }

        if (Http.RequestAborted.IsCancellationRequested)
        {
            return null;
        }

        if (_stopping.IsCancellationRequested)
        {
            return new Status((StatusCode)EtcdErrors.Stopped.Code, EtcdErrors.Stopped.Message);
        }

        if (error is OperationCanceledException)
        {
            return new Status(StatusCode.Cancelled, "context canceled");
        }

        return new Status(StatusCode.Unknown, error.Message);
    }

    public void Dispose() => _source.Dispose();

    private string? Metadata(string key) => _metadata.TryGetValue(key, out var value) ? value : null;

    /// <summary>grpc-gateway's <c>timeoutDecode</c>: a signed integer and one unit of H, M, S, m, u, n.</summary>
    private static TimeSpan? ParseTimeout(string text)
    {
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
        {
            return null;
        }

        var ticksPerUnit = text[^1] switch
        {
            'H' => TimeSpan.TicksPerHour,
            'M' => TimeSpan.TicksPerMinute,
            'S' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMillisecond,
            'u' => TimeSpan.TicksPerMicrosecond,
            'n' => -100,
            _ => 0,
        };
        if (ticksPerUnit == 0)
        {
            return null;
        }

        if (ticksPerUnit < 0)
        {
            return TimeSpan.FromTicks(count / 100);
        }

        return count > TimeSpan.MaxValue.Ticks / ticksPerUnit || count < TimeSpan.MinValue.Ticks / ticksPerUnit
            ? TimeSpan.MaxValue
            : TimeSpan.FromTicks(count * ticksPerUnit);
    }
}
