namespace Kvasir.Server.Member;

/// <summary>
/// One proposal waiting for its entry to be applied: completed by the applier with what applying
/// produced, or failed by the registry (deadline, stop). Continuations run asynchronously, so the
/// applier never runs a caller's code on its own thread.
/// </summary>
internal sealed class Waiter : TaskCompletionSource<AppliedResult>
{
    public Waiter(ulong id, long deadline)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Id = id;
        Deadline = deadline;
    }

    /// <summary>The request id (the entry's InternalRaftRequest id).</summary>
    public ulong Id { get; }

    /// <summary>When the proposal times out, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long Deadline { get; }

    /// <summary>Who registered it (for the caller's cancellation callback, which carries one state object).</summary>
    public object? Owner { get; set; }
}
