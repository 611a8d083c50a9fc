using Google.Protobuf;

namespace Kvasir.Raft;

/// <summary>A member of a new cluster, for <see cref="RawNode.Bootstrap"/>.</summary>
/// <param name="Id">The member's id; not 0.</param>
/// <param name="Context">Carried in the bootstrap ConfChange (the member stores its attributes there, as etcd does).</param>
public readonly record struct Peer(ulong Id, ByteString Context);
