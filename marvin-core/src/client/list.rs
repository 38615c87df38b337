//! Listing across pages.

use std::collections::VecDeque;

use futures_util::stream::{self, BoxStream, StreamExt as _, TryStreamExt as _};
use serde_json::Value;

use super::{Api, Client, RequestOptions};
use crate::config::MAX_PAGE_SIZE;
use crate::envelope;
use crate::error::Result;
use crate::params::Params;

/// The items of a listing, across all its pages. It ends after the first
/// error.
pub type ListStream = BoxStream<'static, Result<Value>>;

struct Pager {
    client: Client,
    command: String,
    params: Params,
    options: RequestOptions,
    /// `None`: one unpaged request (`pagesize=-1`).
    page_size: Option<u64>,
    page: u64,
    seen: u64,
    buffer: VecDeque<Value>,
    done: bool,
}

impl Pager {
    async fn fetch(&mut self) -> Result<()> {
        let mut params = self.params.clone();
        if let Some(size) = self.page_size {
            params.set("page", self.page).set("pagesize", size);
        }
        let answer = self
            .client
            .call(Api::described(self.command.clone(), false))
            .params(params)
            .options(self.options.clone())
            .await?;
        let page = envelope::into_list_page(&self.command, answer)?;
        let got = page.items.len() as u64;
        self.seen += got;
        self.buffer.extend(page.items);
        self.page += 1;
        self.done = match self.page_size {
            None => true,
            Some(size) => {
                got == 0 || got < size || page.count.is_some_and(|count| self.seen >= count)
            }
        };
        Ok(())
    }
}

impl Client {
    /// The items of a list command across all pages, as a stream.
    ///
    /// Pages are fetched one at a time, `pagesize` from the client settings
    /// (500 by default) unless `params` sets one (at most 500; `-1` asks for
    /// everything in one unpaged request); a `page` in `params` is the first
    /// page. Paging stops at a short or empty page (`{}`, `{"count":N}`) or
    /// once `count` items were seen. Items are the array under the answer's
    /// single key that is not `count`.
    pub fn list_stream(&self, command: &str, params: Params) -> ListStream {
        self.list_stream_with(command, params, RequestOptions::default())
    }

    /// [`list_stream`](Self::list_stream) with options for each page request.
    pub fn list_stream_with(
        &self,
        command: &str,
        mut params: Params,
        options: RequestOptions,
    ) -> ListStream {
        let requested = params
            .remove("pagesize")
            .and_then(|s| s.trim().parse::<i64>().ok());
        let page_size = match requested {
            Some(size) if size < 0 => None,
            Some(size) => Some(size.clamp(1, i64::from(MAX_PAGE_SIZE)).unsigned_abs()),
            None => Some(u64::from(self.shared.settings.page_size)),
        };
        let page = params
            .remove("page")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .max(1);
        if page_size.is_none() {
            params.set("pagesize", -1);
        }
        let pager = Pager {
            client: self.clone(),
            command: command.to_owned(),
            params,
            options,
            page_size,
            page,
            seen: 0,
            buffer: VecDeque::new(),
            done: false,
        };
        stream::unfold(pager, |mut pager| async move {
            loop {
                if let Some(item) = pager.buffer.pop_front() {
                    return Some((Ok(item), pager));
                }
                if pager.done {
                    return None;
                }
                if let Err(error) = pager.fetch().await {
                    pager.done = true;
                    return Some((Err(error), pager));
                }
            }
        })
        .boxed()
    }

    /// All items of a list command, across all pages (see
    /// [`list_stream`](Self::list_stream)).
    pub async fn list_all(&self, command: &str, params: Params) -> Result<Vec<Value>> {
        self.list_stream(command, params).try_collect().await
    }
}
