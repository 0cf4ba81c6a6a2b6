"""Parse a feed (URL or file path) with feedparser and print what a reader would see, as JSON.

Usage: /usr/bin/python3 feedparser_dump.py URL_OR_PATH
Run with Debian's python3 (python3-feedparser); the output shape is FeedparserResult in feedparser.ts.
"""
import calendar
import datetime
import json
import sys

import feedparser


def iso(struct):
    # feedparser gives time.struct_time in UTC; None when the date is missing or unparsable.
    if struct is None:
        return None
    stamp = calendar.timegm(struct)
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def links(obj):
    return [{'rel': l.get('rel'), 'type': l.get('type'), 'href': l.get('href')} for l in obj.get('links', [])]


def entry(e):
    content = e.get('content') or []
    return {
        'id': e.get('id'),
        'title': e.get('title'),
        'title_type': (e.get('title_detail') or {}).get('type'),
        'link': e.get('link'),
        'links': links(e),
        'published': iso(e.get('published_parsed')),
        'updated': iso(e.get('updated_parsed')),
        'author': e.get('author'),
        'tags': [t.get('term') for t in e.get('tags', [])],
        'content': content[0].get('value') if content else None,
        'content_type': content[0].get('type') if content else None,
        'summary': e.get('summary'),
    }


def main():
    d = feedparser.parse(sys.argv[1])
    f = d.feed
    out = {
        'version': d.get('version'),
        'bozo': bool(d.get('bozo')),
        'bozo_exception': str(d['bozo_exception']) if d.get('bozo') else None,
        'feed': {
            'title': f.get('title'),
            'id': f.get('id'),
            'link': f.get('link'),
            'links': links(f),
            'language': f.get('language'),
            'author': f.get('author'),
            'generator': f.get('generator'),
            'updated': iso(f.get('updated_parsed')),
        },
        'entries': [entry(e) for e in d.entries],
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


main()
