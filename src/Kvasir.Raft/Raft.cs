using Kvasir.Raft.ConfChanges;
using Kvasir.Raft.Tracker;

namespace Kvasir.Raft;

/// <summary>
/// The Raft state machine of one node. Two inputs, Step (a message) and Tick (time); everything it
/// decides accumulates here (messages, log entries, state) until the RawNode hands it out in a
/// Ready. No I/O, no clock, no threads: one caller drives it.
/// </summary>
/// <remarks>
/// The roles are split by file: Raft.Follower.cs, Raft.Candidate.cs, Raft.Leader.cs; Raft.Step.cs
/// holds what every role does with a message's term first. Durability: this node counts its own
/// vote and its own log entries only once the host has persisted them (RawNode.Advance calls
/// <see cref="OnVotePersisted"/> and <see cref="OnEntriesPersisted"/>), so a quorum is always a
/// quorum of durable copies.
/// </remarks>
internal sealed partial class Raft
{
    /// <summary>No node: no leader, no vote.</summary>
    public const ulong None = 0;

    private readonly IRaftLogger _logger;
    private readonly Random _random;
    private readonly ulong _maxMsgSize;
    private readonly ulong _maxUncommittedSize;
    private readonly bool _checkQuorum;
    private readonly bool _preVote;
    private readonly bool _disableProposalForwarding;
    private readonly int _heartbeatTimeout;
    private readonly int _electionTimeout;
    private readonly int _maxPendingReads;
    private readonly List<Message> _msgs = [];
    private readonly List<ReadState> _readStates = [];
    private readonly List<Message> _pendingReadIndexMessages = [];
    private readonly List<Entry> _appendScratch = [];

    private ProgressTracker _trk;
    private ReadOnlyQueue _readOnly;
    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private ulong _uncommittedSize;

    // Work deferred to the next Ready so that many proposals and acknowledgements share one
    // message per follower: appends to send, and a heartbeat round to confirm reads.
    private bool _appendsPending;
    private bool _heartbeatPending;

    private readonly LeaseIndexer _leaseIndexer;

    // This leader sent TimeoutNow in this term: its read lease no longer holds.
    private bool _leaseVoid;

    // After a restart in the lease-based mode: refuse votes for an election timeout, as if the
    // leader heard from before the crash were still in its lease (the promise is not persisted).
    private bool _restartLease;

    // A leader's TimeoutNow arrived while a committed conf change was not yet applied: campaign
    // as soon as it is (within this term).
    private bool _campaignAfterApply;

    public Raft(RaftConfig config)
    {
        config.Validate();
        Id = config.Id;
        _logger = config.Logger;
        _random = config.Random!;
        _maxMsgSize = config.MaxSizePerMsg;
        _maxUncommittedSize = config.EffectiveMaxUncommittedEntriesSize;
        _checkQuorum = config.CheckQuorum;
        _preVote = config.PreVote;
        _disableProposalForwarding = config.DisableProposalForwarding;
        _heartbeatTimeout = config.HeartbeatTick;
        _electionTimeout = config.ElectionTick;
        _maxPendingReads = config.MaxPendingReadIndex;
        _readOnly = new ReadOnlyQueue(config.ReadOnlyOption);
        _leaseIndexer = new LeaseIndexer(this);
        Log = new RaftLog(config.Storage!, config.Logger, config.EffectiveMaxCommittedSizePerReady);
        _trk = new ProgressTracker(config.MaxInflightMsgs, config.EffectiveMaxInflightBytes);

        var (hardState, confState) = config.Storage!.InitialState();
        var (trackerConfig, progress) = Restore.Apply(new Changer(_trk, Log.LastIndex(), Ticks), confState);
        SwitchToConfig(trackerConfig, progress);

        if (hardState.Term != 0 || hardState.Vote != 0 || hardState.Commit != 0)
        {
            LoadState(hardState);
        }

        if (config.Applied > 0)
        {
            if (config.Applied > Log.Committed)
            {
                throw new ArgumentException($"Applied ({config.Applied}) is beyond the persisted commit index ({Log.Committed})", nameof(config));
            }

            Log.AppliedTo(config.Applied);
        }

        BecomeFollower(Term, None);
        _restartLease = config.ReadOnlyOption == ReadOnlyOption.LeaseBased && Term > 0;
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            var (lastIndex, lastTerm) = Log.LastEntryId();
            _logger.Log(RaftLogLevel.Info, $"{Id} starts [peers: {_trk.Config.Voters}, term: {Term}, commit: {Log.Committed}, applied: {Log.Applied}, lastindex: {lastIndex}, lastterm: {lastTerm}]");
        }
    }

    public ulong Id { get; }

    public ulong Term { get; private set; }

    public ulong Vote { get; private set; }

    public ulong Lead { get; private set; }

    public StateType State { get; private set; }

    public bool IsLearner { get; private set; }

    public ulong LeadTransferee { get; private set; }

    /// <summary>The index of the latest conf change this leader appended (or its last index at election); none may be proposed until it is applied.</summary>
    public ulong PendingConfIndex { get; private set; }

    public RaftLog Log { get; }

    public ProgressTracker Tracker => _trk;

    /// <summary>Ticks since this node started; stamps followers' activity for Status.</summary>
    public long Ticks { get; private set; }

    public int ElectionElapsed => _electionElapsed;

    public int RandomizedElectionTimeout => _randomizedElectionTimeout;

    /// <summary>The term of a vote for itself that must be persisted before it counts; 0 when none.</summary>
    public ulong PendingSelfVoteTerm { get; private set; }

    /// <summary>Messages to send, in order, since the last Ready.</summary>
    public List<Message> Messages => _msgs;

    public List<ReadState> ReadStates => _readStates;

    public SoftState SoftState => new(Lead, State);

    public HardState HardState => new() { Term = Term, Vote = Vote, Commit = Log.Committed };

    /// <summary>Whether deferred sends are waiting for the next Ready.</summary>
    public bool HasPendingSends => _appendsPending || _heartbeatPending;

    /// <summary>Queues a message for the next Ready, filling in From and Term by the protocol's rules.</summary>
    private void Send(Message m)
    {
        if (m.From == None)
        {
            m.From = Id;
        }

        if (m.Type is MessageType.MsgVote or MessageType.MsgVoteResp or MessageType.MsgPreVote or MessageType.MsgPreVoteResp)
        {
            // Campaign messages carry the term they are about, set by the caller: the next term
            // for a pre-vote, the echoed term in a granted response.
            // The one exception: a node still at term 0 (it never persisted a term, but holds
            // entries from a write cut short by a crash) may reject a pre-vote at its own term.
            if (m.Term == 0 && !(m.Type == MessageType.MsgPreVoteResp && m.Reject))
            {
                throw new InvalidOperationException($"term must be set when sending {m.Type}");
            }
        }
        else
        {
            if (m.Term != 0)
            {
                throw new InvalidOperationException($"term must not be set when sending {m.Type} (was {m.Term})");
            }

            // Proposals and read requests are forwarded as if local: no term.
            if (m.Type is not (MessageType.MsgProp or MessageType.MsgReadIndex))
            {
                m.Term = Term;
            }
        }

        if (m.To == Id)
        {
            throw new InvalidOperationException($"{m.Type} must not be addressed to this node itself");
        }

        _msgs.Add(m);
    }

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            Vote = None;
        }

        Lead = None;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        ResetRandomizedElectionTimeout();
        AbortLeaderTransfer();
        _trk.ResetVotes();
        PendingSelfVoteTerm = 0;

        // Only what is already durable counts as this node's own match: the unstable tail is
        // acknowledged by OnEntriesPersisted once the host has written it.
        var last = Log.LastIndex();
        var durable = Math.Min(last, Log.Unstable.Offset - 1);
        foreach (var id in _trk.Ids)
        {
            var pr = _trk.ProgressMap[id];
            var fresh = new Progress(last + 1, _trk.NewInflights(), pr.IsLearner)
            {
                LastResponseTick = Ticks,
            };
            if (id == Id)
            {
                fresh.Match = durable;
            }

            _trk.ProgressMap[id] = fresh;
        }

        PendingConfIndex = 0;
        _uncommittedSize = 0;
        _readOnly = new ReadOnlyQueue(_readOnly.Option);
        _pendingReadIndexMessages.Clear();
        _appendsPending = false;
        _heartbeatPending = false;
        _campaignAfterApply = false;
        _leaseVoid = false;
    }

    private void ResetRandomizedElectionTimeout() => _randomizedElectionTimeout = _electionTimeout + _random.Next(_electionTimeout);

    private void BecomeFollower(ulong term, ulong lead)
    {
        Reset(term);
        Lead = lead;
        State = StateType.Follower;
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} became follower at term {Term}");
        }
    }

    private void BecomeCandidate()
    {
        if (State == StateType.Leader)
        {
            throw new InvalidOperationException("invalid transition [leader -> candidate]");
        }

        Reset(Term + 1);
        Vote = Id;
        State = StateType.Candidate;
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} became candidate at term {Term}");
        }
    }

    // A pre-candidate changes neither term nor vote: it only asks.
    private void BecomePreCandidate()
    {
        if (State == StateType.Leader)
        {
            throw new InvalidOperationException("invalid transition [leader -> pre-candidate]");
        }

        _trk.ResetVotes();
        PendingSelfVoteTerm = 0;
        Lead = None;
        State = StateType.PreCandidate;
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} became pre-candidate at term {Term}");
        }
    }

    private void BecomeLeader()
    {
        if (State == StateType.Follower)
        {
            throw new InvalidOperationException("invalid transition [follower -> leader]");
        }

        Reset(Term);
        Lead = Id;
        State = StateType.Leader;
        var self = _trk.ProgressMap[Id];
        self.BecomeReplicate();
        self.RecentActive = true;

        // Any entry after the last index may be a conf change this leader does not know to be
        // applied: refuse new conf changes until everything up to here is applied.
        PendingConfIndex = Log.LastIndex();

        // An empty entry of the new term: committing it commits everything before it (§5.4.2)
        // and tells the leader its commit index is current (needed by ReadIndex).
        _appendScratch.Clear();
        _appendScratch.Add(new Entry());
        var appended = AppendEntries(_appendScratch);
        _appendScratch.Clear();
        if (!appended)
        {
            throw new InvalidOperationException("the empty entry of a new leader was dropped");
        }

        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} became leader at term {Term}");
        }
    }

    private void LoadState(HardState hs)
    {
        var last = Log.LastIndex();
        if (hs.Commit > last)
        {
            throw new InvalidOperationException($"{Id} persisted commit {hs.Commit} is beyond the last index {last}: was the log truncated or lost?");
        }

        // A commit below the snapshot's index means the HardState was not rewritten after the
        // snapshot was installed (a crash between the two writes): the snapshot is committed
        // state by construction, so the commit index is at least its index.
        Log.Committed = Math.Max(hs.Commit, Log.Committed);
        Term = hs.Term;
        Vote = hs.Vote;
    }

    private bool Promotable()
    {
        var pr = _trk.Get(Id);
        return pr is not null && !pr.IsLearner && !Log.HasNextOrInProgressSnapshot;
    }

    private void AbortLeaderTransfer() => LeadTransferee = None;

    private bool CommittedEntryInCurrentTerm() => Log.TermOrZero(Log.Committed) == Term;

    private bool IncreaseUncommittedSize(IReadOnlyList<Entry> entries)
    {
        ulong size = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            size += (ulong)entries[i].Data.Length;
        }

        // An empty tail takes any proposal, so a large one is never refused forever; an empty
        // entry (a new leader's, leaving a joint config) is never refused.
        if (_uncommittedSize > 0 && size > 0 && _uncommittedSize + size > _maxUncommittedSize)
        {
            return false;
        }

        _uncommittedSize += size;
        return true;
    }

    private void ReduceUncommittedSize(ulong size) => _uncommittedSize = size > _uncommittedSize ? 0 : _uncommittedSize - size;
}
