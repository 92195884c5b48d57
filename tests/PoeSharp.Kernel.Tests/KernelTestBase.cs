using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>Every kernel test runs on a fresh fake kernel and must leave nothing behind.</summary>
public abstract class KernelTestBase
{
    protected FakeKernel Fake = null!;
    protected Kernel K => Fake.Kernel;
    protected List<string> Log = null!;

    [SetUp]
    public void CreateKernel()
    {
        Fake = new FakeKernel();
        Log = new List<string>();
    }

    [TearDown]
    public void CheckNothingLeaked()
    {
        try
        {
            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Passed)
                Assert.That(Fake.FindLeaks(), Is.Empty, "the kernel still holds resources after the test");
        }
        finally
        {
            Fake.Dispose();
        }
    }

    /// <summary>A heap that is just a log.</summary>
    protected sealed class LogHeap
    {
        public List<string> Lines { get; } = new();
        public int Count { get; set; }
    }
}
