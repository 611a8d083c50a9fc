using Google.Protobuf;
using Kvasir.Raft;
using Kvasir.Storage.Wal;

namespace Kvasir.Server.Member;

/// <summary>
/// The Raft loop: one dedicated thread owns the <see cref="RawNode"/> and appends to the
/// <see cref="MemoryRaftLog"/>. Everything else talks to it through a bounded inbox: proposals,
/// ReadIndex requests, ticks (from one timer at the heartbeat interval) and actions. The loop
/// drains the inbox into Raft, then drains Ready per its contract: early messages, WAL append
/// (group-commit fsync through <see cref="WriteAheadLog"/>), messages, committed entries to the
/// applier, Advance. While one Ready waits for its fsync, new proposals keep entering Raft, so the
/// next Ready carries all of them: one fsync per batch, however many callers.
/// </summary>
internal sealed partial class RaftNode
{
    private readonly RawNode _node;
    private readonly MemoryRaftLog _log;
    private readonly WriteAheadLog _wal;
    private readonly IRaftNodeHost _host;
    private readonly int _maxPendingProposals;
    private readonly Thread _thread;
    // Set at first, so the loop drains the first Ready (a new member's bootstrap entries) without waiting for a tick.
    private readonly ManualResetEventSlim _signal = new(true, spinCount: 10);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The inbox, guarded by _gate. Lists are swapped, not copied, when the loop drains them.
    private readonly Lock _gate = new();
    private List<Proposal> _proposals = [];
    private List<Proposal> _proposalsDraining = [];
    private List<ByteString> _reads = [];
    private List<ByteString> _readsDraining = [];
    private List<Action<RawNode>> _actions = [];
    private List<Action<RawNode>> _actionsDraining = [];
    private int _ticks;
    private bool _stopping;
    private Task? _io;

    public RaftNode(RawNode node, MemoryRaftLog log, WriteAheadLog wal, IRaftNodeHost host, int maxPendingProposals)
    {
        _node = node;
        _log = log;
        _wal = wal;
        _host = host;
        _maxPendingProposals = maxPendingProposals;
        _thread = new Thread(Run) { IsBackground = true, Name = "kvasir-raft" };
    }

    /// <summary>Completes when the loop's thread has ended (stopped, or failed).</summary>
    public Task Exited => _exited.Task;

    /// <summary>Proposals queued and not yet given to Raft.</summary>
    public int PendingProposals
    {
        get
        {
            lock (_gate)
            {
                return _proposals.Count;
            }
        }
    }

    public void Start() => _thread.Start();

    /// <summary>
    /// Queues a proposal; false when the inbox holds its bound already or the loop is stopping
    /// (the caller answers <c>too many requests</c> or <c>server stopped</c>).
    /// </summary>
    public bool TryPropose(in Proposal proposal, out bool stopping)
    {
        lock (_gate)
        {
            stopping = _stopping;
            if (stopping || _proposals.Count >= _maxPendingProposals)
            {
                return false;
            }

            _proposals.Add(proposal);
        }

        _signal.Set();
        return true;
    }

    /// <summary>Queues a ReadIndex request with <paramref name="context"/>; the answer comes to the host as a ReadState.</summary>
    public bool TryReadIndex(ByteString context)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return false;
            }

            _reads.Add(context);
        }

        _signal.Set();
        return true;
    }

    /// <summary>One heartbeat interval passed. Ticks that arrive while the loop is busy are all given to Raft.</summary>
    public void Tick()
    {
        lock (_gate)
        {
            _ticks++;
        }

        _signal.Set();
    }

    /// <summary>Runs <paramref name="action"/> on the loop's thread with the node (campaign, transfer leadership, status).</summary>
    public bool TryExecute(Action<RawNode> action)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return false;
            }

            _actions.Add(action);
        }

        _signal.Set();
        return true;
    }

    /// <summary>
    /// Asks the loop to stop: it takes no more proposals, finishes the Ready in hand (its fsync and
    /// the committed entries it carries) and ends. Await <see cref="Exited"/>.
    /// </summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
        }

        _signal.Set();
    }

    /// <summary>Called by the WAL's completion when the outstanding Ready's write (and fsync) is done.</summary>
    private void OnIoDone(Task io)
    {
        lock (_gate)
        {
            _io = io;
        }

        _signal.Set();
    }
}
