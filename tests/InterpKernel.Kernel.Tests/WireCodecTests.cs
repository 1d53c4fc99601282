using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using InterpKernel.Kernel.Protocol;

namespace InterpKernel.Kernel.Tests;

public class WireCodecTests
{
    private const string Key = "b7f3c1a2-0d4e-4f5a-9c6b-3e2d1f0a9b8c";
    private const string Header = """{"msg_id":"m-1","session":"s-1","username":"u","date":"2026-01-02T03:04:05.000000Z","msg_type":"execute_request","version":"5.3"}""";
    private const string Content = """{"code":"1 + 1","silent":false}""";

    // Approved snapshot, computed with Python's hmac module over the same four frames.
    private const string ApprovedSignature = "37422c6206877dfa08f245612f7562f1f2d99d448a2232479faec1af163f3426";

    [Fact]
    public void A_signed_frame_matches_the_approved_snapshot_and_an_independent_hmac()
    {
        var codec = new WireCodec(new MessageSigner(Key));
        var message = new JupyterMessage(
            [Encoding.ASCII.GetBytes("client-7")], (JsonObject)JsonNode.Parse(Header)!, [], [], (JsonObject)JsonNode.Parse(Content)!);

        var frames = codec.Encode(message);

        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Key));
        var independent = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(Header + "{}" + "{}" + Content))).ToLowerInvariant();
        Assert.Equal(ApprovedSignature, independent);
        Assert.Equal(
            ["client-7", "<IDS|MSG>", ApprovedSignature, Header, "{}", "{}", Content],
            frames.Select(f => Encoding.UTF8.GetString(f)).ToArray());
    }

    [Fact]
    public void A_correctly_signed_message_decodes_to_its_parts()
    {
        var codec = new WireCodec(new MessageSigner(Key));
        var sent = JupyterMessage.Create("execute_request", new JsonObject { ["code"] = "x" }, "s-2", null, [[1, 2, 3]]);

        var received = codec.Decode(codec.Encode(sent));

        Assert.Equal("execute_request", received.MessageType);
        Assert.Equal("x", (string?)received.Content["code"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(received.Identities));
        Assert.Equal(sent.MessageId, received.MessageId);
    }

    [Fact]
    public void A_forged_signature_is_rejected()
    {
        var codec = new WireCodec(new MessageSigner(Key));
        var frames = codec.Encode(JupyterMessage.Create("execute_request", new JsonObject { ["code"] = "1" }, "s", null));
        var forged = new WireCodec(new MessageSigner("another key")).Encode(JupyterMessage.Create("execute_request", new JsonObject { ["code"] = "1" }, "s", null));
        frames[1] = forged[1];

        var error = Assert.Throws<WireFormatException>(() => codec.Decode(frames));
        Assert.Contains("signature", error.Message);
    }

    [Fact]
    public void A_missing_signature_is_rejected()
    {
        var codec = new WireCodec(new MessageSigner(Key));
        var frames = codec.Encode(JupyterMessage.Create("kernel_info_request", [], "s", null));
        frames[1] = [];

        Assert.Throws<WireFormatException>(() => codec.Decode(frames));
    }

    [Fact]
    public void A_content_change_after_signing_is_rejected()
    {
        var codec = new WireCodec(new MessageSigner(Key));
        var frames = codec.Encode(JupyterMessage.Create("execute_request", new JsonObject { ["code"] = "1" }, "s", null));
        frames[^1] = Encoding.UTF8.GetBytes("""{"code":"File.Delete(\"x\")"}""");

        Assert.Throws<WireFormatException>(() => codec.Decode(frames));
    }

    [Fact]
    public void Frames_without_a_delimiter_are_malformed()
    {
        var codec = new WireCodec(new MessageSigner(Key));

        var error = Assert.Throws<WireFormatException>(() => codec.Decode([Encoding.ASCII.GetBytes("{}"), Encoding.ASCII.GetBytes("{}")]));
        Assert.Contains("<IDS|MSG>", error.Message);
    }
}
