// Cells redirect the process-wide Console, so engine tests must not overlap.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
