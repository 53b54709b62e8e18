use super::*;

#[test]
fn nothing_seen_means_no_conversations() {
    let book = Conversations::new();
    assert!(book.connections().is_empty() && book.udp_pairs().is_empty());
}
