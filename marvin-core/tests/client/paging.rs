//! Listing across pages.

use futures_util::StreamExt as _;
use marvin_core::{Client, Params};
use serde_json::{Value, json};

use crate::fake::{FakeCloud, Reply};

/// A list command over `total` items; `count` is what the server claims.
/// Pages past the end answer `{"count": N}`; an empty list answers `{}`.
async fn list_cloud(total: usize, claimed: usize) -> FakeCloud {
    FakeCloud::start(move |call| {
        let page: usize = call.get("page").map_or(1, |p| p.parse().unwrap());
        let size: i64 = call.get("pagesize").map_or(500, |p| p.parse().unwrap());
        assert!(size <= 500, "pagesize {size}");
        let size = if size == -1 {
            total.max(1)
        } else {
            usize::try_from(size).unwrap()
        };
        if claimed == 0 {
            return Reply::ok(&call.command(), json!({}));
        }
        let start = (page - 1) * size;
        let items: Vec<Value> = (start..(start + size).min(total))
            .map(|i| json!({"id": format!("vm-{i}")}))
            .collect();
        if items.is_empty() {
            return Reply::ok(&call.command(), json!({"count": claimed}));
        }
        Reply::ok(
            &call.command(),
            json!({"count": claimed, "virtualmachine": items}),
        )
    })
    .await
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn all_pages_are_read_until_a_short_page() {
    let cloud = list_cloud(1203, 1203).await;
    let client = Client::builder(&cloud.url).integration().build().unwrap();
    let items = client
        .list_all("listVirtualMachines", Params::from([("listall", "true")]))
        .await
        .unwrap();
    assert_eq!(items.len(), 1203);
    assert_eq!(ids(&items)[0], "vm-0");
    assert_eq!(ids(&items)[1202], "vm-1202");
    let calls = cloud.calls();
    assert_eq!(calls.len(), 3);
    let pages: Vec<String> = calls.iter().map(|c| c.get("page").unwrap()).collect();
    assert_eq!(pages, ["1", "2", "3"]);
    assert!(
        calls
            .iter()
            .all(|c| c.get("pagesize").as_deref() == Some("500"))
    );
    assert!(
        calls
            .iter()
            .all(|c| c.get("listall").as_deref() == Some("true"))
    );
}

#[tokio::test]
async fn paging_stops_once_count_items_were_seen() {
    let cloud = list_cloud(6, 6).await;
    let client = Client::builder(&cloud.url)
        .integration()
        .page_size(3)
        .build()
        .unwrap();
    let items = client
        .list_all("listVirtualMachines", Params::new())
        .await
        .unwrap();
    assert_eq!(items.len(), 6);
    assert_eq!(cloud.calls().len(), 2);
}

#[tokio::test]
async fn a_page_past_the_end_with_only_count_ends_the_listing() {
    // The server claims more than it has: page 3 answers {"count": 10}.
    let cloud = list_cloud(4, 10).await;
    let client = Client::builder(&cloud.url).integration().build().unwrap();
    let items = client
        .list_all("listVirtualMachines", Params::from([("pagesize", "2")]))
        .await
        .unwrap();
    assert_eq!(ids(&items), ["vm-0", "vm-1", "vm-2", "vm-3"]);
    assert_eq!(cloud.calls().len(), 3);
    assert!(
        cloud
            .calls()
            .iter()
            .all(|c| c.get("pagesize").as_deref() == Some("2"))
    );
}

#[tokio::test]
async fn an_empty_list_is_an_empty_object() {
    let cloud = list_cloud(0, 0).await;
    let client = Client::builder(&cloud.url).integration().build().unwrap();
    let items = client
        .list_all("listVirtualMachines", Params::new())
        .await
        .unwrap();
    assert!(items.is_empty());
    assert_eq!(cloud.calls().len(), 1);
}

#[tokio::test]
async fn the_stream_yields_items_lazily_and_stops_after_an_error() {
    let cloud = FakeCloud::start(|call| {
        if call.get("page").as_deref() == Some("1") {
            Reply::ok(
                &call.command(),
                json!({"count": 4, "zone": [{"id": "a"}, {"id": "b"}]}),
            )
        } else {
            Reply::error(&call.command(), 530, Some(4250), "database went away")
        }
    })
    .await;
    let client = Client::builder(&cloud.url)
        .integration()
        .page_size(2)
        .build()
        .unwrap();
    let mut stream = client.list_stream("listZones", Params::new());
    assert_eq!(stream.next().await.unwrap().unwrap()["id"], "a");
    assert_eq!(cloud.calls().len(), 1);
    assert_eq!(stream.next().await.unwrap().unwrap()["id"], "b");
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.status(), Some(530));
    assert!(stream.next().await.is_none());
    assert!(client.list_all("listZones", Params::new()).await.is_err());
}

#[tokio::test]
async fn unlimited_page_size_is_one_unpaged_request() {
    let cloud = list_cloud(3, 3).await;
    let client = Client::builder(&cloud.url).integration().build().unwrap();
    let items = client
        .list_all("listVirtualMachines", Params::from([("pagesize", "-1")]))
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    let call = &cloud.calls()[0];
    assert_eq!(call.get("pagesize").as_deref(), Some("-1"));
    assert_eq!(call.get("page"), None);
    assert_eq!(cloud.calls().len(), 1);
}
