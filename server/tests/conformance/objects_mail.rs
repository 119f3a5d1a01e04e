use vouch_server::backends::{Mail, ObjectInfo};

use crate::fixture::Fixture;

pub async fn objects_are_stored_read_and_deleted(f: Fixture) {
    let objects = &f.backends.objects;
    let key = "receipts/demo/ent_1.jpg";
    assert_eq!(objects.head(key).await.unwrap(), None);
    assert_eq!(objects.get(key).await.unwrap(), None);
    objects.put(key, b"\xFF\xD8\xFFjpeg".to_vec(), "image/jpeg").await.unwrap();
    assert_eq!(objects.head(key).await.unwrap(), Some(ObjectInfo { size: 7 }));
    assert_eq!(objects.get(key).await.unwrap().as_deref(), Some(&b"\xFF\xD8\xFFjpeg"[..]));
    objects.delete(key).await.unwrap();
    objects.delete(key).await.unwrap(); // deleting twice is fine
    assert_eq!(objects.head(key).await.unwrap(), None);
    objects.ping().await.unwrap();
}

pub async fn a_confirmation_mail_is_sent_once(f: Fixture) {
    let to = format!("zoe.{}@example.com", uuid::Uuid::new_v4().simple());
    let mail = Mail { to: to.clone(), subject: "You're in".into(), text: "Entry ent_1 is confirmed.".into() };
    assert_eq!(f.backends.mailer.sent_at("confirmation:ent_1").await.unwrap(), None);
    let before = vouch_server::clock::now_ms();
    f.backends.mailer.send_once("confirmation:ent_1", &mail).await.unwrap();
    let sent = f.backends.mailer.sent_at("confirmation:ent_1").await.unwrap().expect("sent");
    assert!(sent >= before && sent <= vouch_server::clock::now_ms(), "sent at {sent}");
    f.backends.mailer.send_once("confirmation:ent_1", &mail).await.unwrap();
    assert_eq!(f.backends.mailer.sent_at("confirmation:ent_1").await.unwrap(), Some(sent), "the first send's time");
    assert_eq!(f.mails_to(&to).await, vec!["Entry ent_1 is confirmed.".to_string()]);
}

/// Two workers handling copies of one message at once (a queue may deliver a message twice).
pub async fn copies_of_a_mail_sent_at_once_go_out_once(f: Fixture) {
    let to = format!("ben.{}@example.com", uuid::Uuid::new_v4().simple());
    let mail = Mail { to: to.clone(), subject: "You're in".into(), text: "Entry ent_2 is confirmed.".into() };
    let mailer = &f.backends.mailer;
    let (a, b) =
        tokio::join!(mailer.send_once("confirmation:ent_2", &mail), mailer.send_once("confirmation:ent_2", &mail));
    assert!(a.is_ok() || b.is_ok(), "one of them sends it: {a:?} {b:?}");
    // A copy told to come back later finds the mail sent.
    mailer.send_once("confirmation:ent_2", &mail).await.unwrap();
    assert_eq!(f.mails_to(&to).await, vec!["Entry ent_2 is confirmed.".to_string()]);
}

/// A presigned link loads the object without any credentials, as a browser would, and is
/// refused once it has expired. (moto checks neither signatures nor expiry; S3 and the
/// in-process store do: on moto the link's expiry is read from the link.)
pub async fn a_presigned_link_loads_the_object_until_it_expires(f: Fixture) {
    let objects = &f.backends.objects;
    let key = "receipts/demo/ent_link.jpg";
    objects.put(key, b"\xFF\xD8\xFFjpeg".to_vec(), "image/jpeg").await.unwrap();
    let url = objects.presign_get(key, std::time::Duration::from_secs(2)).await.unwrap();
    assert!(url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=2"), "{url}");
    let http = reqwest::Client::new();
    let got = http.get(&url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"\xFF\xD8\xFFjpeg");
    if f.backends.aws.is_none() {
        let unsigned = url.split('?').next().unwrap();
        assert_eq!(http.get(unsigned).send().await.unwrap().status(), 403, "the bucket is private");
        let at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
        let flipped = if &url[at..at + 1] == "0" { "1" } else { "0" };
        let forged = format!("{}{flipped}{}", &url[..at], &url[at + 1..]);
        assert_eq!(http.get(&forged).send().await.unwrap().status(), 403, "a changed signature");
        tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
        assert_eq!(http.get(&url).send().await.unwrap().status(), 403, "an expired link");
    }
}
