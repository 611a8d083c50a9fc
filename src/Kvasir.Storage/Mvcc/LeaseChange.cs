using Google.Protobuf;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// A key moved between leases in a write: it left <see cref="OldLease"/> and joined <see cref="NewLease"/>
/// (either may be 0, no lease). A put that keeps its lease reports no change.
/// </summary>
public readonly record struct LeaseChange(ByteString Key, long OldLease, long NewLease);
