namespace Kvasir.Api.Errors;

/// <summary>
/// gRPC's canonical status codes, by number. The API layer names the code of each etcd error
/// without depending on the transport; Kvasir.Grpc's <c>StatusCode</c> has the same numbers.
/// </summary>
public enum RpcCode
{
    OK = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}
