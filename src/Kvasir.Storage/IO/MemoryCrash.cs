namespace Kvasir.Storage.IO;

/// <summary>What <see cref="MemoryStorageDevice.Crash"/> keeps of the state that was not yet synced.</summary>
public enum MemoryCrash
{
    /// <summary>The process died (SIGKILL): everything written survives, names too; only open handles are lost.</summary>
    ProcessKill,

    /// <summary>Power loss with a strict disk: only what was synced survives.</summary>
    LoseUnsynced,

    /// <summary>
    /// Power loss mid-writeback: each unsynced 512-byte sector independently holds either its synced
    /// content or its latest content, the length is either the synced or the latest one, and a random
    /// prefix of the unsynced directory changes (create, rename, delete) survives, in order.
    /// </summary>
    TornSectors,
}
