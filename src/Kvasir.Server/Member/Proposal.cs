using Google.Protobuf;

namespace Kvasir.Server.Member;

/// <summary>A serialized InternalRaftRequest on its way into the Raft log, and the id its waiter is registered under.</summary>
internal readonly record struct Proposal(ulong Id, ByteString Data);
