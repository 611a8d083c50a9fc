using Google.Protobuf;

namespace Kvasir.Raft;

/// <summary>
/// The answer to a ReadIndex request: once the host's applied index reaches <see cref="Index"/>,
/// a read that started before the request was made observes every write committed before it.
/// </summary>
/// <param name="Index">The commit index at the time the leader confirmed its leadership.</param>
/// <param name="RequestCtx">The context the host passed to ReadIndex, unchanged, to match answer and request.</param>
public readonly record struct ReadState(ulong Index, ByteString RequestCtx);
