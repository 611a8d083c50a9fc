namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// What generators may assume about the servers' state: the revision reached (every write that
/// changes a key raises it by one on both) and the keys in play. Kept roughly; the servers'
/// answers, not this model, are what is compared.
/// </summary>
public sealed class DiffModel
{
    public static readonly string[] Keys = ["a", "b", "c", "d", "e", "f", "g", "a/1", "a/2", "b/1"];

    /// <summary>The highest revision seen in an answer.</summary>
    public long Revision { get; set; } = 1;

    /// <summary>The highest compacted revision asked for.</summary>
    public long Compacted { get; set; }

    /// <summary>
    /// Names of leases granted and not revoked by the sequence: <c>c&lt;id&gt;</c> for a
    /// client-chosen id, <c>s&lt;n&gt;</c> for the n-th server-chosen grant (see <see cref="DiffTarget.LeaseId"/>).
    /// </summary>
    public List<string> LeaseHandles { get; } = [];

    /// <summary>Server-chosen grants made so far (names them).</summary>
    public int ServerChosenGrants { get; set; }

    /// <summary>The next client-chosen lease id never asked for.</summary>
    public long NextLeaseId { get; set; } = 1000;
}
