using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Grpc;
using Kvasir.Raft;

namespace Kvasir.Server.Member;

/// <summary>
/// Batches linearizable reads onto ReadIndex requests, as etcd's linearizableReadLoop does: at most
/// one ReadIndex is in flight; every read that arrives meanwhile waits for the next one, which is
/// sent as soon as the current one is answered. A round's answer is the index all its reads wait
/// for (applied ≥ index) before they read. A round unanswered for <see cref="RetryAfter"/> is asked
/// again with the same context (a lost request, a leader change). Thread-safe.
/// </summary>
internal sealed class ReadIndexCoordinator
{
    /// <summary>etcd's readIndexRetryTime.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private readonly Func<ByteString, bool> _send;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly Func<Exception> _timedOut;
    private long _startedAt;
    private TaskCompletionSource<ulong>? _waiting;
    private TaskCompletionSource<ulong>? _inFlight;
    private ulong _inFlightId;
    private ByteString _inFlightContext = ByteString.Empty;
    private long _sentAt;
    private ulong _nextId;

    /// <param name="send">Queues a ReadIndex request with the given context on the Raft loop; false when it is stopping.</param>
    /// <param name="timeout">How long a round may go unanswered before its reads fail with <paramref name="timedOut"/>.</param>
    public ReadIndexCoordinator(Func<ByteString, bool> send, TimeProvider time, TimeSpan timeout, Func<Exception> timedOut)
    {
        _send = send;
        _time = time;
        _timeout = timeout;
        _timedOut = timedOut;
    }

    /// <summary>The read index of the next round that starts after this call.</summary>
    public Task<ulong> NextAsync()
    {
        TaskCompletionSource<ulong> round;
        var start = false;
        lock (_gate)
        {
            round = _waiting ??= new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight is null)
            {
                start = true;
                Begin();
            }
        }

        if (start)
        {
            Send();
        }

        return round.Task;
    }

    /// <summary>Raft answered (Raft loop thread).</summary>
    public void OnReadStates(IReadOnlyList<ReadState> states)
    {
        foreach (var state in states)
        {
            TaskCompletionSource<ulong>? answered = null;
            var next = false;
            lock (_gate)
            {
                if (_inFlight is not null && state.RequestCtx.Length == 8 && BinaryPrimitives.ReadUInt64BigEndian(state.RequestCtx.Span) == _inFlightId)
                {
                    answered = _inFlight;
                    _inFlight = null;
                    if (_waiting is not null)
                    {
                        Begin();
                        next = true;
                    }
                }
            }

            answered?.TrySetResult(state.Index);
            if (next)
            {
                Send();
            }
        }
    }

    /// <summary>Raft refused the request (Raft loop thread): the round's reads fail with <paramref name="error"/>.</summary>
    public void OnRefused(ByteString context, Exception error)
    {
        TaskCompletionSource<ulong>? failed = null;
        lock (_gate)
        {
            if (_inFlight is not null && context.Length == 8 && BinaryPrimitives.ReadUInt64BigEndian(context.Span) == _inFlightId)
            {
                failed = _inFlight;
                _inFlight = null;
                if (_waiting is not null)
                {
                    // The next round starts on the next tick rather than spin against the same refusal.
                    _inFlight = _waiting;
                    _waiting = null;
                    _inFlightId = ++_nextId;
                    _inFlightContext = Context(_inFlightId);
                    _sentAt = long.MinValue;
                    _startedAt = _time.GetTimestamp();
                }
            }
        }

        failed?.TrySetException(error);
    }

    /// <summary>
    /// Each tick: fails a round unanswered for the request timeout (its reads get <c>request timed
    /// out</c>, and the reads waiting behind it start the next round), or asks again for one
    /// unanswered for <see cref="RetryAfter"/>.
    /// </summary>
    public void OnTick()
    {
        TaskCompletionSource<ulong>? expired = null;
        ByteString? resend;
        lock (_gate)
        {
            if (_inFlight is null)
            {
                return;
            }

            if (_time.GetElapsedTime(_startedAt) >= _timeout)
            {
                expired = _inFlight;
                _inFlight = null;
                if (_waiting is not null)
                {
                    Begin();
                }
            }
            else if (_sentAt != long.MinValue && _time.GetElapsedTime(_sentAt) < RetryAfter)
            {
                return;
            }

            _sentAt = _time.GetTimestamp();
            resend = _inFlight is not null ? _inFlightContext : null;
        }

        expired?.TrySetException(_timedOut());
        if (resend is not null)
        {
            _send(resend);
        }
    }

    /// <summary>Fails every waiting read (the member stops).</summary>
    public void FailAll(Exception error)
    {
        TaskCompletionSource<ulong>? a, b;
        lock (_gate)
        {
            (a, b) = (_inFlight, _waiting);
            _inFlight = null;
            _waiting = null;
        }

        a?.TrySetException(error);
        b?.TrySetException(error);
    }

    // Under the lock: the waiting reads become the round in flight.
    private void Begin()
    {
        _inFlight = _waiting;
        _waiting = null;
        _inFlightId = ++_nextId;
        _inFlightContext = Context(_inFlightId);
        _sentAt = _time.GetTimestamp();
        _startedAt = _sentAt;
    }

    private void Send()
    {
        ByteString context;
        lock (_gate)
        {
            context = _inFlightContext;
        }

        if (!_send(context))
        {
            FailAll(new RpcException(StatusCode.Unavailable, Api.Errors.EtcdErrors.Stopped.Message));
        }
    }

    private static ByteString Context(ulong id)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }
}
