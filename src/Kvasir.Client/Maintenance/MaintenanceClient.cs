using System.Security.Cryptography;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;
using Kvasir.Grpc;

namespace Kvasir.Client;

/// <summary>
/// etcd's Maintenance service. Status, defragment and hash concern one member: each has an overload
/// taking that member's endpoint (as etcdctl's <c>--endpoints</c> with <c>endpoint status</c>); without
/// it the client's current endpoint answers.
/// </summary>
public sealed class MaintenanceClient
{
    private readonly CallInvoker _invoker;

    internal MaintenanceClient(CallInvoker invoker)
    {
        _invoker = invoker;
    }

    public Task<StatusResponse> StatusAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.Status, new StatusRequest(), idempotent: true, cancellationToken);

    /// <summary>The status of the member at <paramref name="endpoint"/>.</summary>
    public Task<StatusResponse> StatusAsync(string endpoint, CancellationToken cancellationToken = default) =>
        OnMemberAsync(endpoint, EtcdMethods.Status, new StatusRequest(), cancellationToken);

    /// <summary>The alarms raised in the cluster (NOSPACE, CORRUPT).</summary>
    public Task<AlarmResponse> AlarmListAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.Alarm, new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get }, idempotent: true, cancellationToken);

    /// <summary>Clears an alarm of a member (etcdctl's <c>alarm disarm</c> clears each listed alarm this way).</summary>
    public Task<AlarmResponse> AlarmDisarmAsync(ulong memberId, AlarmType alarm, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.Alarm, new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Deactivate, MemberID = memberId, Alarm = alarm }, idempotent: true, cancellationToken);

    /// <summary>Raises an alarm (for tests of alarm handling; servers raise them themselves).</summary>
    public Task<AlarmResponse> AlarmActivateAsync(ulong memberId, AlarmType alarm, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.Alarm, new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Activate, MemberID = memberId, Alarm = alarm }, idempotent: false, cancellationToken);

    /// <summary>Defragments the current member's backend (it blocks reads and writes while it runs).</summary>
    public Task<DefragmentResponse> DefragmentAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.Defragment, new DefragmentRequest(), idempotent: true, cancellationToken);

    public Task<DefragmentResponse> DefragmentAsync(string endpoint, CancellationToken cancellationToken = default) =>
        OnMemberAsync(endpoint, EtcdMethods.Defragment, new DefragmentRequest(), cancellationToken);

    /// <summary>The hash of the whole backend (for tests).</summary>
    public Task<HashResponse> HashAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.Hash, new HashRequest(), idempotent: true, cancellationToken);

    /// <summary>The hash of the key-value history up to <paramref name="revision"/> (0 = latest), for comparing members.</summary>
    public Task<HashKVResponse> HashKvAsync(long revision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        return _invoker.UnaryAsync(EtcdMethods.HashKv, new HashKVRequest { Revision = revision }, idempotent: true, cancellationToken);
    }

    public Task<HashKVResponse> HashKvAsync(string endpoint, long revision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        return OnMemberAsync(endpoint, EtcdMethods.HashKv, new HashKVRequest { Revision = revision }, cancellationToken);
    }

    /// <summary>Asks the leader to hand leadership to member <paramref name="targetId"/>. Only the leader can: call it on the leader's endpoint.</summary>
    public Task<MoveLeaderResponse> MoveLeaderAsync(ulong targetId, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.MoveLeader, new MoveLeaderRequest { TargetID = targetId }, idempotent: false, cancellationToken);

    public Task<MoveLeaderResponse> MoveLeaderAsync(string endpoint, ulong targetId, CancellationToken cancellationToken = default) =>
        OnMemberAsync(endpoint, EtcdMethods.MoveLeader, new MoveLeaderRequest { TargetID = targetId }, cancellationToken);

    /// <summary>
    /// Streams a snapshot of the backend into <paramref name="destination"/>: the database followed by
    /// the SHA-256 of it, which the client checks as it copies (etcd's restore checks it again). A
    /// snapshot whose digest does not match throws <see cref="InvalidDataException"/>; what was
    /// written must then be discarded.
    /// </summary>
    public async Task<SnapshotResult> SnapshotAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_invoker.Core.IsDisposed, typeof(EtcdClient));
        await _invoker.Core.EnsureTokenAsync(cancellationToken).ConfigureAwait(false);
        using var call = _invoker.Core.Channel.ServerStreaming(EtcdMethods.Snapshot, new SnapshotRequest(), _invoker.StreamOptions(cancellationToken));
        using var digest = new SnapshotDigest();
        long revision = 0;
        var first = true;
        try
        {
            while (await call.ResponseStream.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                var chunk = call.ResponseStream.Current;
                if (first)
                {
                    revision = chunk.Header?.Revision ?? 0;
                    first = false;
                }

                digest.Append(chunk.Blob.Span);
                await destination.WriteAsync(chunk.Blob.Memory, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RpcException e)
        {
            throw EtcdException.From(e);
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (!digest.Matches())
        {
            throw new InvalidDataException($"the snapshot's SHA-256 does not match its {digest.Length} bytes: discard it");
        }

        return new SnapshotResult(digest.Length, revision);
    }

    private async Task<TResponse> OnMemberAsync<TRequest, TResponse>(string endpoint, Method<TRequest, TResponse> method, TRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        using var channel = _invoker.Core.CreateChannel([endpoint]);
        return await _invoker.UnaryAsync(method, request, idempotent: true, cancellationToken, channel).ConfigureAwait(false);
    }

    /// <summary>A SHA-256 over everything but the last 32 bytes seen, and those 32 bytes: etcd's snapshot trailer.</summary>
    private sealed class SnapshotDigest : IDisposable
    {
        private const int Size = 32;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _tail = new byte[Size];
        private int _tailLength;

        public long Length { get; private set; }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            Length += bytes.Length;
            if (bytes.Length >= Size)
            {
                // The old tail and all but the last 32 new bytes are data.
                _hash.AppendData(_tail.AsSpan(0, _tailLength));
                _hash.AppendData(bytes[..^Size]);
                bytes[^Size..].CopyTo(_tail);
                _tailLength = Size;
                return;
            }

            var overflow = _tailLength + bytes.Length - Size;
            if (overflow > 0)
            {
                _hash.AppendData(_tail.AsSpan(0, overflow));
                _tail.AsSpan(overflow, _tailLength - overflow).CopyTo(_tail);
                _tailLength -= overflow;
            }

            bytes.CopyTo(_tail.AsSpan(_tailLength));
            _tailLength += bytes.Length;
        }

        public bool Matches()
        {
            if (_tailLength != Size)
            {
                return false;
            }

            Span<byte> actual = stackalloc byte[Size];
            _hash.GetHashAndReset(actual);
            return actual.SequenceEqual(_tail);
        }

        public void Dispose() => _hash.Dispose();
    }
}
